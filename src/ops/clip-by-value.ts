import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { greaterEqual } from './greater-equal.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { lessEqual } from './less-equal.js';
import { logicalAnd } from './logical-and.js';
import { where } from './where.js';

/**
 * x limited to [lo, hi] elementwise (NaN passes through). `clipByValue(probs, 1e-7, 1 - 1e-7)`
 * Gradient: dy where lo <= x <= hi, 0 outside.
 */
export function clipByValue(x: TensorLike, lo: number, hi: number): Tensor {
  if (!(lo <= hi)) throw new RangeError(`clipByValue: lo (${lo}) must be <= hi (${hi})`);
  return unaryOp(
    'clip',
    x,
    (dy, x) => where(logicalAnd(greaterEqual(x, lo), lessEqual(x, hi)), dy, 0),
    { accepted: REAL, attrs: { alpha: lo, beta: hi }, name: 'clipByValue' },
  );
}
