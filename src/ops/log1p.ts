import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { div } from './div.js';
import { REAL, unaryOp } from './internal/elementwise.js';

/** ln(1 + x) elementwise, accurate for tiny x. `log1p(tensor([1e-8]))` Gradient: dy / (1 + x). */
export function log1p(x: TensorLike): Tensor {
  return unaryOp('log1p', x, (dy, x) => div(dy, add(x, 1)), { rule: 'float', accepted: REAL });
}
