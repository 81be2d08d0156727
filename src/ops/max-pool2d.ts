import { record, recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { type Pool2DOptions, pool2dAttrs, windowOutShape } from './internal/window.js';
import { maxPool2dBackward } from './max-pool2d-backward.js';

export type { Pool2DOptions } from './internal/window.js';

/**
 * The maximum of each poolSize window on NHWC data; 'same' padding never picks a padded cell.
 * x [batch, h, w, c] -> [batch, outH, outW, c]; float32, or uint8 (quantized, no gradient). Gradient: dy routed to each window's first maximum.
 * `maxPool2d(x, { poolSize: 2 })`
 */
export function maxPool2d(xLike: TensorLike, options: Pool2DOptions = {}): Tensor {
  const x = toTensor(xLike);
  checkDType('maxPool2d', 'x', x.dtype, ['float32', 'uint8']);
  const attrs = pool2dAttrs('maxPool2d', x.shape, options);
  const y = emptyTensor(windowOutShape(attrs), x.dtype);
  runKernel('maxPool2d', [x], [y], attrs);
  // uint8 (quantized activations): the max commutes with the monotonic dequantization, so
  // pooling the integers is exact; inference only.
  if (x.dtype === 'uint8') return recordNonDifferentiable('maxPool2d (uint8)', [x], y);
  return record('maxPool2d', [x], y, (dy) => [maxPool2dBackward(dy, x, y, options)]);
}
