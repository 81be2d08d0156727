import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { checkShape, type Shape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { conv2d } from './conv2d.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import {
  type Conv2DOptions,
  checkGradShape,
  conv2dAttrs,
  windowOutShape,
} from './internal/window.js';

/**
 * The gradient of conv2d with respect to its filter: dFilter[i, j, ci, co] =
 * sum_{b, oh, ow} x[b, oh*sh + i*dh - padTop, ow*sw + j*dw - padLeft, ci] dy[b, oh, ow, co].
 * x [batch, h, w, inC], dy [batch, outH, outW, outC] -> filterShape [fh, fw, inC, outC].
 * `conv2dBackpropFilter(x, dy, w.shape, opts)`
 */
export function conv2dBackpropFilter(
  xLike: TensorLike,
  dyLike: TensorLike,
  filterShape: Shape,
  options: Conv2DOptions = {},
): Tensor {
  const op = 'conv2dBackpropFilter';
  const x = toTensor(xLike);
  const dy = toTensor(dyLike);
  checkDType(op, 'x', x.dtype, ['float32']);
  checkDType(op, 'dy', dy.dtype, ['float32']);
  checkShape(op, filterShape);
  const attrs = conv2dAttrs(op, x.shape, filterShape, options);
  checkGradShape(op, 'dy', dy.shape, windowOutShape(attrs));
  const dw = emptyTensor(filterShape, 'float32');
  runKernel(op, [x, dy], [dw], attrs);
  // Linear in x and in dy: the gradient g of dFilter acts as a filter.
  return record(op, [x, dy], dw, (g) => [
    x.requiresGrad ? conv2dBackpropInput(dy, g, x.shape, options) : null,
    dy.requiresGrad ? conv2d(x, g, options) : null,
  ]);
}
