import { noGrad, record } from '../autograd/tape.js';
import { type TensorLike, zeros } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { abs } from './abs.js';
import { div } from './div.js';
import { greater } from './greater.js';
import { REAL } from './internal/elementwise.js';
import { reduceSpec } from './internal/reduce.js';
import { isFinite as isFiniteTensor } from './is-finite.js';
import { logicalAnd } from './logical-and.js';
import { max } from './max.js';
import { mul } from './mul.js';
import { reshape } from './reshape.js';
import { sqrt } from './sqrt.js';
import { square } from './square.js';
import { sum } from './sum.js';
import { where } from './where.js';

/**
 * Euclidean (L2) norm √Σx² over `axis` (all axes when omitted), float32; 0 over an empty axis.
 * Values are scaled by their largest magnitude first, so huge inputs do not overflow.
 * `norm(grads)` Gradient: dy x / ‖x‖ (0 where the norm is 0).
 */
export function norm(x: TensorLike, axis?: number | readonly number[], keepDims = false): Tensor {
  const spec = reduceSpec('norm', x, axis, keepDims);
  const { axes, keptShape } = spec;
  checkDType('norm', 'x', spec.x.dtype, REAL);
  let count = 1;
  for (const a of axes) count *= spec.x.shape[a]!;
  const y = noGrad(() => {
    if (count === 0) return zeros(spec.outShape);
    const m = max(abs(spec.x), axes, true);
    const scale = where(logicalAnd(greater(m, 0), isFiniteTensor(m)), m, 1);
    const n = mul(sqrt(sum(square(div(spec.x, scale)), axes, true)), scale);
    return reshape(n, spec.outShape);
  });
  return record('norm', [spec.x], y, (dy) => {
    const yk = reshape(y, keptShape);
    // Where the norm is 0 so is every x, and x / 1 gives the subgradient 0.
    const safe = where(greater(yk, 0), yk, 1);
    return [mul(spec.x, div(reshape(dy, keptShape), safe))];
  });
}
