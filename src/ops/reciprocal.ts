import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { neg } from './neg.js';

/** 1 / x elementwise, float32 (±Infinity at ±0). `reciprocal(tensor([4]))` is [0.25]. Gradient: -dy y². */
export function reciprocal(x: TensorLike): Tensor {
  return unaryOp('reciprocal', x, (dy, _x, y) => neg(mul(dy, mul(y, y))), {
    rule: 'float',
    accepted: REAL,
  });
}
