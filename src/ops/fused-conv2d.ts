import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { FusedConv2DAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { activationGrad } from './activation-grad.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import { activationCode, checkBias, type FusedActivation } from './internal/fused-activation.js';
import { type Conv2DOptions, conv2dAttrs, windowOutShape } from './internal/window.js';
import { sigmoid } from './sigmoid.js';
import { softmax } from './softmax.js';
import { sum } from './sum.js';

/** Options of `fusedConv2d`: `conv2d`'s plus the activation applied in the same kernel. */
export interface FusedConv2DOptions extends Conv2DOptions {
  /** 'linear' (default), 'relu', 'sigmoid', 'tanh' or 'softmax' (over the channels). */
  activation?: FusedActivation;
}

/**
 * act(conv2d(x, filter) + bias) in one kernel, what the Conv2D layer runs:
 * x [batch, h, w, inC], filter [fh, fw, inC, outC], bias [outC] (optional) -> [batch, outH, outW, outC].
 * `fusedConv2d(x, w, b, { activation: 'relu' })`. Gradient: dz = activationGrad(dy, y), then
 * conv2dBackpropInput / conv2dBackpropFilter of dz and dBias = Σ dz.
 */
export function fusedConv2d(
  xLike: TensorLike,
  filterLike: TensorLike,
  biasLike?: TensorLike,
  options: FusedConv2DOptions = {},
): Tensor {
  const op = 'fusedConv2d';
  const x = toTensor(xLike);
  const filter = toTensor(filterLike);
  const bias = biasLike === undefined ? undefined : toTensor(biasLike);
  checkDType(op, 'x', x.dtype, ['float32']);
  checkDType(op, 'filter', filter.dtype, ['float32']);
  const activation = options.activation ?? 'linear';
  // As in dense: a softmax or sigmoid output keeps its logits for the cross-entropy losses.
  if (activation === 'softmax' || activation === 'sigmoid') {
    const z = fusedConv2d(x, filter, bias, { ...options, activation: 'linear' });
    return activation === 'softmax' ? softmax(z) : sigmoid(z);
  }
  const attrs: FusedConv2DAttrs = {
    ...conv2dAttrs(op, x.shape, filter.shape, options),
    activation: activationCode(op, activation),
  };
  if (bias) {
    checkDType(op, 'bias', bias.dtype, ['float32']);
    checkBias(op, bias, attrs.outC, `${attrs.outC} filters`);
  }
  const y = emptyTensor(windowOutShape(attrs), 'float32');
  const inputs: [Tensor, Tensor, ...Tensor[]] = bias ? [x, filter, bias] : [x, filter];
  runKernel(op, inputs, [y], attrs);
  return record(op, inputs, y, (dy) => {
    const dz = activationGrad(dy, y, activation);
    return [
      // The first layer's input needs no gradient; skipping it saves a full transposed convolution.
      x.requiresGrad ? conv2dBackpropInput(dz, filter, x.shape, options) : null,
      filter.requiresGrad ? conv2dBackpropFilter(x, dz, filter.shape, options) : null,
      bias?.requiresGrad ? sum(dz, [0, 1, 2]) : null,
    ];
  });
}
