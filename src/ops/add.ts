import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';

/** a + b, broadcasting. `add(x, 1)` */
export function add(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('add', a, b, (dy, a, b) => [unbroadcast(dy, a.shape), unbroadcast(dy, b.shape)]);
}
