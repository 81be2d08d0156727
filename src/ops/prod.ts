import { record } from '../autograd/tape.js';
import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastTo } from './broadcast-to.js';
import { div } from './div.js';
import { equal } from './equal.js';
import { reduceSpec, runReduce } from './internal/reduce.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';
import { sum } from './sum.js';
import { where } from './where.js';

/**
 * Product over `axis` (all axes when omitted; 1 over an empty axis). `prod(tensor([2, 3, 4]))` is 24.
 * Gradient: dy times the product of the other elements, exact when x holds zeros (no division by 0).
 */
export function prod(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const spec = reduceSpec('prod', x, axis, keepDims);
  const y = runReduce('prod', spec, spec.x.dtype === 'bool' ? 'int32' : spec.x.dtype);
  return record('prod', [spec.x], y, (dy) => {
    const { x, axes, keptShape } = spec;
    const isZero = equal(x, 0);
    const zeros = sum(isZero, axes, true);
    const nonZero = where(isZero, 1, x);
    const prodNonZero = prod(nonZero, axes, true);
    // No zero: y / x. One zero: the zero's gradient is the product of the rest, others get 0.
    // Two or more zeros: every gradient is 0.
    const others = where(
      isZero,
      where(equal(zeros, 1), prodNonZero, 0),
      where(equal(zeros, 0), div(prodNonZero, nonZero), 0),
    );
    return [mul(broadcastTo(reshape(dy, keptShape), x.shape), others)];
  });
}
