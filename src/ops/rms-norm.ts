import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import { rsqrt } from './rsqrt.js';
import { square } from './square.js';

/**
 * Root-mean-square normalization over the last axis: y = x / √(mean(x²) + ε) · gamma.
 * x [..., F], gamma [F] (optional) -> [..., F]. `rmsNorm(x, scale, 1e-6)`
 * Composed from public ops; a backend may register a fused kernel under the same name later.
 */
export function rmsNorm(xLike: TensorLike, gammaLike?: TensorLike | null, epsilon = 1e-6): Tensor {
  const x = toTensor(xLike);
  checkDType('rmsNorm', 'x', x.dtype, ['float32']);
  if (x.rank === 0) throw new RangeError('rmsNorm: x must have rank >= 1, got a scalar');
  if (!(epsilon > 0)) throw new RangeError(`rmsNorm: epsilon must be > 0, got ${epsilon}`);
  const y = mul(x, rsqrt(add(mean(square(x), -1, true), epsilon)));
  if (gammaLike == null) return y;
  const gamma = toTensor(gammaLike);
  const F = x.shape[x.rank - 1]!;
  if (gamma.rank !== 1 || gamma.shape[0] !== F)
    throw new RangeError(
      `rmsNorm: gamma must have shape [${F}] for x ${formatShape(x.shape)}, got ${formatShape(gamma.shape)}`,
    );
  return mul(y, gamma);
}
