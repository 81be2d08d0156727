import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { sub } from './sub.js';

/** Hyperbolic tangent elementwise, in (-1, 1). `tanh(tensor([0]))` is [0]. Gradient: dy (1 - y²). */
export function tanh(x: TensorLike): Tensor {
  return unaryOp('tanh', x, (dy, _x, y) => mul(dy, sub(1, mul(y, y))), {
    rule: 'float',
    accepted: REAL,
  });
}
