import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { checkShape, type Shape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { avgPool2d } from './avg-pool2d.js';
import {
  checkGradShape,
  type Pool2DOptions,
  pool2dAttrs,
  windowOutShape,
} from './internal/window.js';

/**
 * The gradient of avgPool2d: each dy value spread evenly over its window's cells inside the input.
 * dy [batch, outH, outW, c], inputShape [batch, h, w, c] -> dx of inputShape.
 * `avgPool2dBackward(dy, x.shape, { poolSize: 2 })`
 */
export function avgPool2dBackward(
  dyLike: TensorLike,
  inputShape: Shape,
  options: Pool2DOptions = {},
): Tensor {
  const op = 'avgPool2dBackward';
  const dy = toTensor(dyLike);
  checkDType(op, 'dy', dy.dtype, ['float32']);
  checkShape(op, inputShape);
  const attrs = pool2dAttrs(op, inputShape, options);
  checkGradShape(op, 'dy', dy.shape, windowOutShape(attrs));
  const dx = emptyTensor(inputShape, 'float32');
  runKernel(op, [dy], [dx], attrs);
  // A linear map whose adjoint is the forward pooling.
  return record(op, [dy], dx, (g) => [avgPool2d(g, options)]);
}
