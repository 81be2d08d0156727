import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { avgPool2dBackward } from './avg-pool2d-backward.js';
import { type Pool2DOptions, pool2dAttrs, windowOutShape } from './internal/window.js';

/**
 * The mean of each poolSize window on NHWC data; with 'same' padding the mean is over the cells
 * inside the input only (as in TF). x [batch, h, w, c] -> [batch, outH, outW, c].
 * `avgPool2d(x, { poolSize: 3, strides: 1, padding: 'same' })`
 */
export function avgPool2d(xLike: TensorLike, options: Pool2DOptions = {}): Tensor {
  const x = toTensor(xLike);
  checkDType('avgPool2d', 'x', x.dtype, ['float32']);
  const attrs = pool2dAttrs('avgPool2d', x.shape, options);
  const y = emptyTensor(windowOutShape(attrs), 'float32');
  runKernel('avgPool2d', [x], [y], attrs);
  return record('avgPool2d', [x], y, (dy) => [avgPool2dBackward(dy, x.shape, options)]);
}
