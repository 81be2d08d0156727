import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { binaryOp } from './internal/elementwise.js';
import { unbroadcast } from './internal/unbroadcast.js';
import { mul } from './mul.js';
import { neg } from './neg.js';

/**
 * a / b, broadcasting; always float32 (`div(int32 7, 2)` is 3.5; x / 0 is ±Infinity or NaN).
 * `div(x, 255)` Gradient: (dy / b, -dy * y / b).
 */
export function div(a: TensorLike, b: TensorLike): Tensor {
  return binaryOp(
    'div',
    a,
    b,
    (dy, a, b, y) => [
      unbroadcast(div(dy, b), a.shape),
      unbroadcast(neg(div(mul(dy, y), b)), b.shape),
    ],
    { rule: 'float' },
  );
}
