import type { TensorLike } from '../tensor/create.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';

/** The largest integer <= x elementwise. `floor(tensor([1.7, -1.2]))` is [1, -2]. Gradient: 0 (piecewise constant). */
export function floor(x: TensorLike): Tensor {
  return unaryOp('floor', x, (dy) => zeros(dy.shape), { accepted: REAL });
}
