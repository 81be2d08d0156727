import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { greater } from './greater.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { where } from './where.js';

/** max(x, 0) elementwise (NaN passes through). `relu(tensor([-1, 2]))` is [0, 2]. Gradient: dy where x > 0. */
export function relu(x: TensorLike): Tensor {
  return unaryOp('relu', x, (dy, x) => where(greater(x, 0), dy, 0), { accepted: REAL });
}
