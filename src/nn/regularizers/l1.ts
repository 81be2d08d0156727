import { abs, mul, sum } from '../../ops/index.js';
import { checkFactor, makeRegularizer, type Regularizer } from './regularizer.js';

/** The L1 penalty l1 · Σ|w| (a scalar). `new Dense(8, {kernelRegularizer: l1(0.01)})` */
export function l1(factor = 0.01): Regularizer {
  const l1 = checkFactor('L1', 'l1', factor);
  return makeRegularizer('L1', { l1 }, (w) => mul(sum(abs(w)), l1));
}
