import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { sub } from './sub.js';

/** 1 / (1 + e^-x) elementwise, without overflow. `sigmoid(logits)` Gradient: dy y (1 - y). */
export function sigmoid(x: TensorLike): Tensor {
  return unaryOp('sigmoid', x, (dy, _x, y) => mul(dy, mul(y, sub(1, y))), {
    rule: 'float',
    accepted: REAL,
  });
}
