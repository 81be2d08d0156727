import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { Conv2DAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, type Shape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { depthwiseConv2dBackpropFilter } from './depthwise-conv2d-backprop-filter.js';
import { depthwiseConv2dBackpropInput } from './depthwise-conv2d-backprop-input.js';
import { type Conv2DOptions, conv2dAttrs, windowOutShape } from './internal/window.js';

/**
 * The geometry of a depthwise convolution: conv2d's, with outC = inC · multiplier for a filter
 * [fh, fw, inC, multiplier]; errors name `op` and the shapes.
 */
export function depthwiseAttrs(
  op: string,
  xShape: Shape,
  filterShape: Shape,
  options: Conv2DOptions,
): Conv2DAttrs {
  if (filterShape.length !== 4)
    throw new RangeError(
      `${op}: expected filter rank 4 [filterH, filterW, inChannels, multiplier], got ${formatShape(filterShape)}`,
    );
  const [fh, fw, inC, m] = filterShape as [number, number, number, number];
  if (xShape.length === 4 && xShape[3] !== inC)
    throw new RangeError(
      `${op}: input has ${xShape[3]} channels but filter expects ${inC} (${formatShape(filterShape)})`,
    );
  return conv2dAttrs(op, xShape, [fh, fw, inC, inC * m], options);
}

/**
 * Depthwise 2-D convolution on NHWC data: each input channel c is convolved with its own
 * `multiplier` filters, y[b, oh, ow, c·m + k] = Σ_{i, j} x[b, oh·sh + i·dh - padTop,
 * ow·sw + j·dw - padLeft, c] · filter[i, j, c, k]. x [batch, h, w, inC], filter [fh, fw, inC, m]
 * → [batch, outH, outW, inC·m]. `depthwiseConv2d(x, w, { strides: 2, padding: 'same' })`
 */
export function depthwiseConv2d(
  xLike: TensorLike,
  filterLike: TensorLike,
  options: Conv2DOptions = {},
): Tensor {
  const x = toTensor(xLike);
  const filter = toTensor(filterLike);
  checkDType('depthwiseConv2d', 'x', x.dtype, ['float32']);
  checkDType('depthwiseConv2d', 'filter', filter.dtype, ['float32']);
  const attrs = depthwiseAttrs('depthwiseConv2d', x.shape, filter.shape, options);
  const y = emptyTensor(windowOutShape(attrs), 'float32');
  runKernel('depthwiseConv2d', [x, filter], [y], attrs);
  return record('depthwiseConv2d', [x, filter], y, (dy) => [
    x.requiresGrad ? depthwiseConv2dBackpropInput(dy, filter, x.shape, options) : null,
    filter.requiresGrad ? depthwiseConv2dBackpropFilter(x, dy, filter.shape, options) : null,
  ]);
}
