import { record } from '../autograd/tape.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { runAlongAxis } from './internal/along-axis.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * e^x / Σ e^x along `axis`, float32, stable for large inputs (the maximum is subtracted first).
 * `softmax(tensor([1, 2, 3]))` is [0.090, 0.245, 0.665]. Gradient: y (dy - Σ dy y).
 */
export function softmax(x: TensorLike, axis = -1): Tensor {
  const { x: input, y, axis: a } = runAlongAxis('softmax', x, axis);
  return record('softmax', [input], y, (dy) => [mul(y, sub(dy, sum(mul(dy, y), a, true)))]);
}
