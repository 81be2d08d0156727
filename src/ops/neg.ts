import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { REAL, unaryOp } from './internal/elementwise.js';

/** -x elementwise. `neg(tensor([1, -2]))` is [-1, 2]. Gradient: -dy. */
export function neg(x: TensorLike): Tensor {
  return unaryOp('neg', x, (dy) => neg(dy), { accepted: REAL });
}
