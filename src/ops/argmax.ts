import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { reduceSpec, runReduce } from './internal/reduce.js';

/**
 * Index of the largest value along `axis`, int32, the axis removed; the first wins ties and the
 * first NaN wins over numbers. `argmax(logits)` of [[1, 3, 2]] is [1]. Not differentiable.
 */
export function argmax(x: TensorLike, axis = -1): Tensor {
  return runReduce('argmax', reduceSpec('argmax', x, axis, false), 'int32');
}
