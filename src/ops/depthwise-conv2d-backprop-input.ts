import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { checkShape, type Shape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { depthwiseAttrs, depthwiseConv2d } from './depthwise-conv2d.js';
import { depthwiseConv2dBackpropFilter } from './depthwise-conv2d-backprop-filter.js';
import { type Conv2DOptions, checkGradShape, windowOutShape } from './internal/window.js';

/**
 * The gradient of depthwiseConv2d with respect to its input: dy [batch, outH, outW, inC·m],
 * filter [fh, fw, inC, m], inputShape [batch, h, w, inC] → dx of inputShape.
 * `depthwiseConv2dBackpropInput(dy, w, x.shape, opts)`
 */
export function depthwiseConv2dBackpropInput(
  dyLike: TensorLike,
  filterLike: TensorLike,
  inputShape: Shape,
  options: Conv2DOptions = {},
): Tensor {
  const op = 'depthwiseConv2dBackpropInput';
  const dy = toTensor(dyLike);
  const filter = toTensor(filterLike);
  checkDType(op, 'dy', dy.dtype, ['float32']);
  checkDType(op, 'filter', filter.dtype, ['float32']);
  checkShape(op, inputShape);
  const attrs = depthwiseAttrs(op, inputShape, filter.shape, options);
  checkGradShape(op, 'dy', dy.shape, windowOutShape(attrs));
  const dx = emptyTensor(inputShape, 'float32');
  runKernel(op, [dy, filter], [dx], attrs);
  // Linear in dy and in filter: both gradients are depthwise convolutions again.
  return record(op, [dy, filter], dx, (g) => [
    dy.requiresGrad ? depthwiseConv2d(g, filter, options) : null,
    filter.requiresGrad ? depthwiseConv2dBackpropFilter(g, dy, filter.shape, options) : null,
  ]);
}
