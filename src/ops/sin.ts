import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { cos } from './cos.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';

/** sin(x) elementwise, x in radians. `sin(tensor([Math.PI / 2]))` is [1]. Gradient: dy cos(x). */
export function sin(x: TensorLike): Tensor {
  return unaryOp('sin', x, (dy, x) => mul(dy, cos(x)), { rule: 'float', accepted: REAL });
}
