import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { sign } from './sign.js';

/** |x| elementwise. `abs(tensor([-1, 2]))` is [1, 2]. Gradient: dy * sign(x) (0 at x = 0). */
export function abs(x: TensorLike): Tensor {
  return unaryOp('abs', x, (dy, x) => mul(dy, sign(x)), { accepted: REAL });
}
