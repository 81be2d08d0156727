import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { conv2dBackpropFilter } from './conv2d-backprop-filter.js';
import { conv2dBackpropInput } from './conv2d-backprop-input.js';
import { type Conv2DOptions, conv2dAttrs, windowOutShape } from './internal/window.js';

export type { Conv2DOptions, Padding2D } from './internal/window.js';

/**
 * 2-D convolution (cross-correlation, as in Keras) on NHWC data:
 * y[b, oh, ow, co] = sum_{i, j, ci} x[b, oh*sh + i*dh - padTop, ow*sw + j*dw - padLeft, ci] filter[i, j, ci, co].
 * x [batch, h, w, inC], filter [filterH, filterW, inC, outC] -> [batch, outH, outW, outC].
 * `conv2d(x, w, { strides: 2, padding: 'same' })`
 */
export function conv2d(
  xLike: TensorLike,
  filterLike: TensorLike,
  options: Conv2DOptions = {},
): Tensor {
  const x = toTensor(xLike);
  const filter = toTensor(filterLike);
  checkDType('conv2d', 'x', x.dtype, ['float32']);
  checkDType('conv2d', 'filter', filter.dtype, ['float32']);
  const attrs = conv2dAttrs('conv2d', x.shape, filter.shape, options);
  const y = emptyTensor(windowOutShape(attrs), 'float32');
  runKernel('conv2d', [x, filter], [y], attrs);
  return record('conv2d', [x, filter], y, (dy) => [
    // The first layer's input needs no gradient; skipping it saves a full transposed convolution.
    x.requiresGrad ? conv2dBackpropInput(dy, filter, x.shape, options) : null,
    filter.requiresGrad ? conv2dBackpropFilter(x, dy, filter.shape, options) : null,
  ]);
}
