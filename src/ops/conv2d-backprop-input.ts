import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { checkShape, type Shape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { conv2d } from './conv2d.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import {
  type Conv2DOptions,
  checkGradShape,
  conv2dAttrs,
  windowOutShape,
} from './internal/window.js';

/**
 * The gradient of conv2d with respect to its input (a transposed convolution):
 * dx = d<dy, conv2d(x, filter)>/dx. dy [batch, outH, outW, outC], filter [fh, fw, inC, outC],
 * inputShape [batch, h, w, inC] -> dx of inputShape. `conv2dBackpropInput(dy, w, x.shape, opts)`
 */
export function conv2dBackpropInput(
  dyLike: TensorLike,
  filterLike: TensorLike,
  inputShape: Shape,
  options: Conv2DOptions = {},
): Tensor {
  const op = 'conv2dBackpropInput';
  const dy = toTensor(dyLike);
  const filter = toTensor(filterLike);
  checkDType(op, 'dy', dy.dtype, ['float32']);
  checkDType(op, 'filter', filter.dtype, ['float32']);
  checkShape(op, inputShape);
  const attrs = conv2dAttrs(op, inputShape, filter.shape, options);
  checkGradShape(op, 'dy', dy.shape, windowOutShape(attrs));
  const dx = emptyTensor(inputShape, 'float32');
  runKernel(op, [dy, filter], [dx], attrs);
  // Linear in dy and in filter, so both gradients are convolutions again.
  return record(op, [dy, filter], dx, (g) => [
    dy.requiresGrad ? conv2d(g, filter, options) : null,
    filter.requiresGrad ? conv2dBackpropFilter(g, dy, filter.shape, options) : null,
  ]);
}
