import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { div } from './div.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';

/** √x elementwise, float32 (NaN below 0). `sqrt(tensor([4, 9]))` is [2, 3]. Gradient: dy / (2√x). */
export function sqrt(x: TensorLike): Tensor {
  return unaryOp('sqrt', x, (dy, _x, y) => div(dy, mul(y, 2)), { rule: 'float', accepted: REAL });
}
