import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { greater } from './greater.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { where } from './where.js';

/**
 * x if x > 0 else alpha (e^x - 1), float32. `elu(tensor([-1, 2]))` is [-0.632, 2].
 * Gradient: dy for x > 0, else dy alpha e^x = dy (y + alpha).
 */
export function elu(x: TensorLike, alpha = 1): Tensor {
  return unaryOp('elu', x, (dy, x, y) => where(greater(x, 0), dy, mul(dy, add(y, alpha))), {
    rule: 'float',
    accepted: REAL,
    attrs: { alpha },
  });
}
