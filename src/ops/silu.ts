import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { sigmoid } from './sigmoid.js';
import { sub } from './sub.js';

/** x σ(x) elementwise (swish), float32. `silu(tensor([1]))` is [0.7311]. Gradient: dy σ (1 + x (1 - σ)). */
export function silu(x: TensorLike): Tensor {
  return unaryOp(
    'silu',
    x,
    (dy, x) => {
      const s = sigmoid(x);
      return mul(dy, mul(s, add(mul(x, sub(1, s)), 1)));
    },
    { rule: 'float', accepted: REAL },
  );
}
