import type { TensorLike } from '../tensor/create.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';

/** -1, 0 or 1 by the sign of x (NaN stays NaN). `sign(tensor([-3, 0, 2]))` Gradient: 0. */
export function sign(x: TensorLike): Tensor {
  return unaryOp('sign', x, (dy) => zeros(dy.shape), { accepted: REAL });
}
