import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { reduceSpec, runReduce } from './internal/reduce.js';

/**
 * Index of the smallest value along `axis`, int32, the axis removed; the first wins ties and the
 * first NaN wins over numbers. `argmin(distances)` of [[3, 1, 2]] is [1]. Not differentiable.
 */
export function argmin(x: TensorLike, axis = -1): Tensor {
  return runReduce('argmin', reduceSpec('argmin', x, axis, false), 'int32');
}
