import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';

/** x² elementwise. `square(tensor([-3]))` is [9]. Gradient: 2 x dy. */
export function square(x: TensorLike): Tensor {
  return unaryOp('square', x, (dy, x) => mul(dy, mul(x, 2)), { accepted: REAL });
}
