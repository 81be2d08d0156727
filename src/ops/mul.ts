import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';

/** a * b elementwise, broadcasting. Gradient: (dy * b, dy * a). */
export function mul(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp('mul', a, b, (dy, a, b) => [
    unbroadcast(mul(dy, b), a.shape),
    unbroadcast(mul(dy, a), b.shape),
  ]);
}
