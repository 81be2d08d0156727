import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { equal } from './equal.js';
import { greater } from './greater.js';
import { binaryOp } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';
import { log } from './log.js';
import { mul } from './mul.js';
import { sub } from './sub.js';
import { where } from './where.js';

/**
 * a ** b elementwise, broadcasting. `pow(x, 2)`
 * Gradient: dy * b * a^(b-1) for a (0 where b = 0), dy * a^b * ln(a) for b (0 where a <= 0,
 * where the real logarithm does not exist).
 */
export function pow(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('pow', a, b, (dy, a, b, y) => {
    const da = where(equal(b, 0), 0, mul(b, pow(a, sub(b, 1))));
    const positive = greater(a, 0);
    // ln(1) = 0, so substituting 1 for non-positive bases zeroes their exponent gradient.
    const db = mul(y, log(where(positive, a, 1)));
    return [unbroadcast(mul(dy, da), a.shape), unbroadcast(mul(dy, db), b.shape)];
  });
}
