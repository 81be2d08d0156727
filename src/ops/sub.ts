import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';
import { neg } from './neg.js';

/** a - b, broadcasting. `sub(x, mean(x))` Gradient: (dy, -dy). */
export function sub(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('sub', a, b, (dy, a, b) => [
    unbroadcast(dy, a.shape),
    unbroadcast(neg(dy), b.shape),
  ]);
}
