import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { FusedDenseAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { type Tensor, uninitializedTensor } from '../tensor/tensor.js';
import { activationGrad } from './activation-grad.js';
import { activationCode, type FusedActivation } from './internal/fused-activation.js';
import { matMul } from './matmul.js';
import { reshape } from './reshape.js';
import { sigmoid } from './sigmoid.js';
import { softmax } from './softmax.js';
import { sum } from './sum.js';

/**
 * The fully connected layer's op: y = act(x @ kernel + bias) over the last axis, in one kernel.
 * x [..., in], kernel [in, out], bias [out] -> [..., out]; act one of 'linear' (default), 'relu',
 * 'sigmoid', 'tanh', 'softmax' (the softmax op after the linear kernel, so losses see its logits).
 * `dense(x, w, b, 'softmax')`
 * Gradient (leading axes folded into one): dz = activationGrad(dy, y); dx = dz @ kernelᵀ;
 * dKernel = xᵀ @ dz; dBias = Σ dz.
 */
export function dense(
  xLike: TensorLike,
  kernelLike: TensorLike,
  biasLike?: TensorLike,
  activation: FusedActivation = 'linear',
): Tensor {
  const x = toTensor(xLike);
  const kernel = toTensor(kernelLike);
  const bias = biasLike === undefined ? undefined : toTensor(biasLike);
  checkDType('dense', 'x', x.dtype, ['float32']);
  checkDType('dense', 'kernel', kernel.dtype, ['float32']);
  if (bias) checkDType('dense', 'bias', bias.dtype, ['float32']);
  if (kernel.rank !== 2) {
    throw new RangeError(
      `dense: expected kernel rank 2 [in, out], got ${formatShape(kernel.shape)}`,
    );
  }
  const [units, outUnits] = kernel.shape as [number, number];
  if (x.rank === 0 || x.shape[x.rank - 1] !== units) {
    throw new RangeError(
      `dense: input ${formatShape(x.shape)} does not end in the kernel's ${units} input features (kernel ${formatShape(kernel.shape)})`,
    );
  }
  if (bias && (bias.rank !== 1 || bias.shape[0] !== outUnits)) {
    throw new RangeError(
      `dense: expected bias [${outUnits}] for kernel ${formatShape(kernel.shape)}, got ${formatShape(bias.shape)}`,
    );
  }
  // A softmax or sigmoid output is computed from logits the op remembers, so that a cross-entropy
  // loss after it uses them (stable, exact gradients), as Keras does with its logits.
  if (activation === 'softmax') return softmax(dense(x, kernel, bias, 'linear'));
  if (activation === 'sigmoid') return sigmoid(dense(x, kernel, bias, 'linear'));
  const lead = x.shape.slice(0, -1);
  const attrs: FusedDenseAttrs = {
    M: sizeOf(lead),
    K: units,
    N: outUnits,
    activation: activationCode('dense', activation),
  };
  const y = uninitializedTensor([...lead, outUnits]);
  const inputs: [Tensor, Tensor, ...Tensor[]] = bias ? [x, kernel, bias] : [x, kernel];
  runKernel('fusedDense', inputs, [y], attrs);
  return record('dense', inputs, y, (dy) => {
    const dz = reshape(activationGrad(dy, y, activation), [attrs.M, outUnits]);
    const x2 = reshape(x, [attrs.M, units]);
    return [
      x.requiresGrad ? reshape(matMul(dz, kernel, false, true), x.shape) : null,
      kernel.requiresGrad ? matMul(x2, dz, true, false) : null,
      bias?.requiresGrad ? sum(dz, 0) : null,
    ];
  });
}
