import type { TensorLike } from '../tensor/create.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';

/** x rounded to the nearest integer, halves to even as in NumPy. `round(tensor([0.5, 1.5, 2.6]))` is [0, 2, 3]. Gradient: 0 (piecewise constant). */
export function round(x: TensorLike): Tensor {
  return unaryOp('round', x, (dy) => zeros(dy.shape), { accepted: REAL });
}
