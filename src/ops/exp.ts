import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';

/** e^x elementwise. Gradient: dy * e^x. */
export function exp(x: TensorLike): Tensor {
  return unaryOp('exp', x, (dy, _x, y) => mul(dy, y), { rule: 'float', accepted: REAL });
}
