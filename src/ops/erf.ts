import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { exp } from './exp.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { square } from './square.js';

/** The error function (2/√π) ∫₀ˣ e^(-t²) dt elementwise. `erf(tensor([0]))` Gradient: dy (2/√π) e^(-x²). */
export function erf(x: TensorLike): Tensor {
  return unaryOp(
    'erf',
    x,
    (dy, x) => mul(dy, mul(exp(mul(square(x), -1)), 2 / Math.sqrt(Math.PI))),
    {
      rule: 'float',
      accepted: REAL,
    },
  );
}
