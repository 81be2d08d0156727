import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { sigmoid } from './sigmoid.js';

/** ln(1 + e^x) elementwise, computed without overflow. `softplus(tensor([0]))` is [ln 2]. Gradient: dy σ(x). */
export function softplus(x: TensorLike): Tensor {
  return unaryOp('softplus', x, (dy, x) => mul(dy, sigmoid(x)), {
    rule: 'float',
    accepted: REAL,
  });
}
