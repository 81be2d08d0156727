import type { TensorLike } from '../tensor/create.js';
import { zeros } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';

/** The smallest integer >= x elementwise. `ceil(tensor([1.2, -1.7]))` is [2, -1]. Gradient: 0 (piecewise constant). */
export function ceil(x: TensorLike): Tensor {
  return unaryOp('ceil', x, (dy) => zeros(dy.shape), { accepted: REAL });
}
