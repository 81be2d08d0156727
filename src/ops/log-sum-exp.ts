import type { TensorLike } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { exp } from './exp.js';
import { REAL } from './internal/elementwise.js';
import { reduceSpec } from './internal/reduce.js';
import { isFinite as isFiniteTensor } from './is-finite.js';
import { log } from './log.js';
import { max } from './max.js';
import { reshape } from './reshape.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { where } from './where.js';

/**
 * ln Σ e^x over `axis` (all axes when omitted), float32, computed as m + ln Σ e^(x - m) with m the
 * maximum so it never overflows; -Infinity over an empty axis. `logSumExp(logits, -1)`
 * Gradient: dy · softmax(x) over the reduced axes.
 */
export function logSumExp(
  x: TensorLike,
  axis?: number | readonly number[],
  keepDims = false,
): Tensor {
  const spec = reduceSpec('logSumExp', x, axis, keepDims);
  checkDType('logSumExp', 'x', spec.x.dtype, REAL);
  let count = 1;
  for (const a of spec.axes) count *= spec.x.shape[a]!;
  let shift: Tensor | number = 0;
  if (count > 0) {
    // The shift is a constant for autograd (its gradient contributions cancel exactly); an
    // infinite maximum is replaced by 0 so that inf - inf never appears.
    const m = max(spec.x.detach(), spec.axes, true);
    shift = where(isFiniteTensor(m), m, 0);
  }
  const y = add(log(sum(exp(sub(spec.x, shift)), spec.axes, true)), shift);
  return keepDims ? y : reshape(y, spec.outShape);
}
