import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { checkShape, type Shape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { depthwiseAttrs, depthwiseConv2d } from './depthwise-conv2d.js';
import { depthwiseConv2dBackpropInput } from './depthwise-conv2d-backprop-input.js';
import { type Conv2DOptions, checkGradShape, windowOutShape } from './internal/window.js';

/**
 * The gradient of depthwiseConv2d with respect to its filter: dFilter[i, j, c, k] =
 * Σ_{b, oh, ow} x[b, oh·sh + i·dh - padTop, ow·sw + j·dw - padLeft, c] · dy[b, oh, ow, c·m + k].
 * `depthwiseConv2dBackpropFilter(x, dy, w.shape, opts)`
 */
export function depthwiseConv2dBackpropFilter(
  xLike: TensorLike,
  dyLike: TensorLike,
  filterShape: Shape,
  options: Conv2DOptions = {},
): Tensor {
  const op = 'depthwiseConv2dBackpropFilter';
  const x = toTensor(xLike);
  const dy = toTensor(dyLike);
  checkDType(op, 'x', x.dtype, ['float32']);
  checkDType(op, 'dy', dy.dtype, ['float32']);
  checkShape(op, filterShape);
  const attrs = depthwiseAttrs(op, x.shape, filterShape, options);
  checkGradShape(op, 'dy', dy.shape, windowOutShape(attrs));
  const dw = emptyTensor(filterShape, 'float32');
  runKernel(op, [x, dy], [dw], attrs);
  // Linear in x and in dy: the gradient g of dFilter acts as a depthwise filter.
  return record(op, [x, dy], dw, (g) => [
    x.requiresGrad ? depthwiseConv2dBackpropInput(dy, g, x.shape, options) : null,
    dy.requiresGrad ? depthwiseConv2d(x, g, options) : null,
  ]);
}
