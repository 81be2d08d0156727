import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { BiasActivationAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { activationGrad } from './activation-grad.js';
import { activationCode, checkBias, type FusedActivation } from './internal/fused-activation.js';
import { sum } from './sum.js';

export type { FusedActivation } from './internal/fused-activation.js';

/**
 * y = act(x + bias) in one pass over x [..., C] with bias [C] (optional); act is one of 'linear',
 * 'relu', 'sigmoid', 'tanh', 'softmax' (along the last axis). The epilogue of dense and conv.
 * `biasActivation(logits, b, 'softmax')`. Gradient: dz = activationGrad(dy, y); dBias = Σ dz.
 */
export function biasActivation(
  xLike: TensorLike,
  biasLike: TensorLike | undefined,
  activation: FusedActivation,
): Tensor {
  const op = 'biasActivation';
  const x = toTensor(xLike);
  const bias = biasLike === undefined ? undefined : toTensor(biasLike);
  checkDType(op, 'x', x.dtype, ['float32']);
  const code = activationCode(op, activation);
  if (x.rank === 0)
    throw new RangeError(`${op}: x must have rank >= 1, got ${formatShape(x.shape)}`);
  const channels = x.shape[x.rank - 1]!;
  if (bias) {
    checkDType(op, 'bias', bias.dtype, ['float32']);
    checkBias(op, bias, channels, `x ${formatShape(x.shape)}`);
  } else if (activation === 'linear') return x;
  const y = emptyTensor(x.shape, 'float32');
  const attrs: BiasActivationAttrs = {
    rows: channels === 0 ? 0 : x.size / channels,
    channels,
    activation: code,
  };
  const inputs: [Tensor, ...Tensor[]] = bias ? [x, bias] : [x];
  runKernel(op, inputs, [y], attrs);
  return record(op, inputs, y, (dy) => {
    const dz = activationGrad(dy, y, activation);
    const lead = Array.from({ length: x.rank - 1 }, (_, i) => i);
    return [dz, bias?.requiresGrad ? sum(dz, lead) : null];
  });
}
