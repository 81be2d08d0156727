import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { greaterEqual } from './greater-equal.js';
import { binaryOp } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';
import { where } from './where.js';

/**
 * The larger of a and b elementwise, broadcasting; NaN wins. `maximum(x, 0)`
 * Gradient: dy goes to a where a >= b (ties go to a), to b elsewhere.
 */
export function maximum(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('maximum', a, b, (dy, a, b) => {
    const toA = greaterEqual(a, b);
    return [unbroadcast(where(toA, dy, 0), a.shape), unbroadcast(where(toA, 0, dy), b.shape)];
  });
}
