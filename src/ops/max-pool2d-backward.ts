import { recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import {
  checkGradShape,
  type Pool2DOptions,
  pool2dAttrs,
  windowOutShape,
} from './internal/window.js';

/**
 * The gradient of maxPool2d (TF's MaxPoolGrad): each dy value added to the first cell (row-major)
 * of its window in x that equals the window's maximum y. dy and y [batch, outH, outW, c] with
 * y = maxPool2d(x, options), x [batch, h, w, c] -> dx like x.
 * `maxPool2dBackward(dy, x, y, { poolSize: 2 })`. Not differentiable itself.
 */
export function maxPool2dBackward(
  dyLike: TensorLike,
  xLike: TensorLike,
  yLike: TensorLike,
  options: Pool2DOptions = {},
): Tensor {
  const op = 'maxPool2dBackward';
  const dy = toTensor(dyLike);
  const x = toTensor(xLike);
  const y = toTensor(yLike);
  checkDType(op, 'dy', dy.dtype, ['float32']);
  checkDType(op, 'x', x.dtype, ['float32']);
  checkDType(op, 'y', y.dtype, ['float32']);
  const attrs = pool2dAttrs(op, x.shape, options);
  checkGradShape(op, 'dy', dy.shape, windowOutShape(attrs));
  checkGradShape(op, 'y', y.shape, windowOutShape(attrs));
  const dx = emptyTensor(x.shape, 'float32');
  runKernel(op, [dy, x, y], [dx], attrs);
  return recordNonDifferentiable(op, [dy, x, y], dx);
}
