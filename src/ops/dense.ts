import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { biasActivation } from './bias-activation.js';
import type { FusedActivation } from './internal/fused-activation.js';
import { matMul } from './matmul.js';
import { reshape } from './reshape.js';

/**
 * The fully connected layer's op: y = act(x @ kernel + bias) over the last axis.
 * x [..., in], kernel [in, out], bias [out] -> [..., out]; act one of 'linear' (default), 'relu',
 * 'sigmoid', 'tanh', 'softmax'. `dense(x, w, b, 'softmax')`
 * Written from matMul and the fused biasActivation (leading axes folded into one), so the bias
 * and activation cost one pass over the output and the op is differentiable for free.
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
  const lead = x.shape.slice(0, -1);
  const x2 = x.rank === 2 ? x : reshape(x, [sizeOf(lead), units]);
  const y = biasActivation(matMul(x2, kernel), bias, activation);
  return x.rank === 2 ? y : reshape(y, [...lead, outUnits]);
}
