import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { cos } from './cos.js';
import { div } from './div.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { square } from './square.js';

/** tan(x) elementwise, x in radians. `tan(tensor([0]))` is [0]. Gradient: dy / cos²(x). */
export function tan(x: TensorLike): Tensor {
  return unaryOp('tan', x, (dy, x) => div(dy, square(cos(x))), { rule: 'float', accepted: REAL });
}
