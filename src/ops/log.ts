import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { div } from './div.js';
import { REAL, unaryOp } from './internal/elementwise.js';

/** ln(x) elementwise, float32 (-Infinity at 0, NaN below). `log(probs)` Gradient: dy / x. */
export function log(x: TensorLike): Tensor {
  return unaryOp('log', x, (dy, x) => div(dy, x), { rule: 'float', accepted: REAL });
}
