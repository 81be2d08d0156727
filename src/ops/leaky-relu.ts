import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { greater } from './greater.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { where } from './where.js';

/** x if x > 0 else alpha x, float32. `leakyRelu(tensor([-1, 2]))` is [-0.2, 2]. Gradient: dy or alpha dy. */
export function leakyRelu(x: TensorLike, alpha = 0.2): Tensor {
  return unaryOp('leakyRelu', x, (dy, x) => where(greater(x, 0), dy, mul(dy, alpha)), {
    rule: 'float',
    accepted: REAL,
    attrs: { alpha },
  });
}
