import type { TensorLike } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { div } from './div.js';
import { NUMERIC } from './internal/elementwise.js';
import { reduceSpec } from './internal/reduce.js';
import { sum } from './sum.js';

/**
 * Arithmetic mean over `axis` (all axes when omitted), float32; NaN over an empty axis, as in NumPy.
 * `mean(x, 0)` Gradient: dy / n broadcast back over the reduced axes.
 */
export function mean(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const spec = reduceSpec('mean', x, axis, keepDims);
  checkDType('mean', 'x', spec.x.dtype, NUMERIC);
  let count = 1;
  for (const a of spec.axes) count *= spec.x.shape[a]!;
  return div(sum(spec.x, spec.axes, keepDims), count);
}
