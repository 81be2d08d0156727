import { isGradEnabled, record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { type Tensor, uninitializedTensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { erf } from './erf.js';
import { exp } from './exp.js';
import { REAL, unaryOp } from './internal/elementwise.js';
import { mul } from './mul.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { tanh } from './tanh.js';

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Gaussian error linear unit x Φ(x) = x (1 + erf(x / √2)) / 2, float32. With `approximate`, the
 * tanh form x (1 + tanh(√(2/π) (x + 0.044715 x³))) / 2. `gelu(tensor([1]))` is [0.8413].
 * The tanh form runs the fused kernels 'geluTanh' and 'geluTanhBackward' (one pass each).
 */
export function gelu(xLike: TensorLike, approximate = false): Tensor {
  if (!approximate) return unaryOp('gelu', xLike, geluGrad, { rule: 'float', accepted: REAL });
  const x = toTensor(xLike);
  checkDType('gelu', 'x', x.dtype, REAL);
  const y = uninitializedTensor(x.shape);
  runKernel('geluTanh', [x], [y], {});
  return record('gelu', [x], y, (dy) => {
    if (isGradEnabled()) return [geluTanhGrad(dy, x)];
    const dx = uninitializedTensor(x.shape);
    runKernel('geluTanhBackward', [dy, x], [dx], {});
    return [dx];
  });
}

/** d/dx x Φ(x) = Φ(x) + x φ(x). */
function geluGrad(dy: Tensor, x: Tensor): Tensor {
  const cdf = mul(add(erf(mul(x, Math.SQRT1_2)), 1), 0.5);
  const pdf = mul(exp(mul(square(x), -0.5)), INV_SQRT_2PI);
  return mul(dy, add(cdf, mul(x, pdf)));
}

/** The composed gradient (differentiable again). With t = tanh(u), u = c (x + 0.044715 x³): (1 + t) / 2 + x (1 - t²) c (1 + 3 · 0.044715 x²) / 2. */
function geluTanhGrad(dy: Tensor, x: Tensor): Tensor {
  const x2 = square(x);
  const t = tanh(mul(mul(x, add(mul(x2, 0.044715), 1)), SQRT_2_OVER_PI));
  const du = mul(add(mul(x2, 3 * 0.044715), 1), SQRT_2_OVER_PI);
  const d = add(add(t, 1), mul(mul(x, sub(1, square(t))), du));
  return mul(dy, mul(d, 0.5));
}
