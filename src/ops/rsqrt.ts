import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';

/** 1 / √x elementwise, float32. `rsqrt(add(variance, 1e-3))` Gradient: -dy * y³ / 2. */
export function rsqrt(x: TensorLike): Tensor {
  return unaryOp('rsqrt', x, (dy, _x, y) => mul(dy, mul(mul(y, mul(y, y)), -0.5)), {
    rule: 'float',
    accepted: REAL,
  });
}
