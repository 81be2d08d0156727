import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';
import { lessEqual } from './less-equal.js';
import { where } from './where.js';

/**
 * The smaller of a and b elementwise, broadcasting; NaN wins. `minimum(x, 6)`
 * Gradient: dy goes to a where a <= b (ties go to a), to b elsewhere.
 */
export function minimum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('minimum', a, b, (dy, a, b) => {
    const toA = lessEqual(a, b);
    return [unbroadcast(where(toA, dy, 0), a.shape), unbroadcast(where(toA, 0, dy), b.shape)];
  });
}
