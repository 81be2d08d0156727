import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { sin } from './sin.js';

/** cos(x) elementwise, x in radians. `cos(tensor([0]))` is [1]. Gradient: -dy sin(x). */
export function cos(x: TensorLike): Tensor {
  return unaryOp('cos', x, (dy, x) => neg(mul(dy, sin(x))), { rule: 'float', accepted: REAL });
}
