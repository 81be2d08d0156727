import { mul, square, sum } from '../../ops/index.js';
import { checkFactor, makeRegularizer, type Regularizer } from './regularizer.js';

/** The L2 penalty l2 · Σw² (a scalar; no ½). `new Dense(8, {kernelRegularizer: l2(1e-4)})` */
export function l2(factor = 0.01): Regularizer {
  const l2 = checkFactor('L2', 'l2', factor);
  return makeRegularizer('L2', { l2 }, (w) => mul(sum(square(w)), l2));
}
