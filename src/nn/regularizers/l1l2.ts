import { abs, add, mul, square, sum } from '../../ops/index.js';
import { checkFactor, makeRegularizer, type Regularizer } from './regularizer.js';

/** l1 · Σ|w| + l2 · Σw² (a scalar); both factors default to 0 as in Keras's L1L2. `l1l2({l1: 1e-5, l2: 1e-4})` */
export function l1l2(args: { l1?: number; l2?: number } = {}): Regularizer {
  const l1 = checkFactor('L1L2', 'l1', args.l1 ?? 0);
  const l2 = checkFactor('L1L2', 'l2', args.l2 ?? 0);
  return makeRegularizer('L1L2', { l1, l2 }, (w) =>
    add(mul(sum(abs(w)), l1), mul(sum(square(w)), l2)),
  );
}
