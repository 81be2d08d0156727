import { isGradEnabled, record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { LayerNormAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { emptyTensor, type Tensor, uninitializedTensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { mean } from './mean.js';
import { mul } from './mul.js';
import { rsqrt } from './rsqrt.js';
import { square } from './square.js';
import { sub } from './sub.js';
import { sum } from './sum.js';

/**
 * Layer normalization over the last axis: y = (x - mean) / √(var + ε) · gamma + beta.
 * x [..., F], gamma and beta [F] (either may be omitted) -> [..., F]. `layerNorm(x, g, b, 1e-5)`
 * Forward and backward run as fused kernels; the backward is analytic (no graph of small ops),
 * and a differentiable composition is used instead when a higher derivative is being recorded.
 */
export function layerNorm(
  xLike: TensorLike,
  gammaLike?: TensorLike | null,
  betaLike?: TensorLike | null,
  epsilon = 1e-3,
): Tensor {
  const x = toTensor(xLike);
  const gamma = gammaLike == null ? null : toTensor(gammaLike);
  const beta = betaLike == null ? null : toTensor(betaLike);
  checkDType('layerNorm', 'x', x.dtype, ['float32']);
  if (x.rank === 0) throw new RangeError('layerNorm: x must have rank >= 1, got a scalar');
  const F = x.shape[x.rank - 1]!;
  for (const [name, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (!p) continue;
    checkDType('layerNorm', name, p.dtype, ['float32']);
    if (p.rank !== 1 || p.shape[0] !== F)
      throw new RangeError(
        `layerNorm: ${name} must have shape [${F}] for x ${formatShape(x.shape)}, got ${formatShape(p.shape)}`,
      );
  }
  if (!(epsilon > 0)) throw new RangeError(`layerNorm: epsilon must be > 0, got ${epsilon}`);
  const rows = F === 0 ? 0 : x.size / F;
  const attrs: LayerNormAttrs = {
    rows,
    features: F,
    epsilon,
    hasGamma: gamma !== null,
    hasBeta: beta !== null,
  };
  const params = [gamma, beta].filter((p): p is Tensor => p !== null);
  const y = uninitializedTensor(x.shape);
  const meanT = emptyTensor([rows], 'float32');
  const rstdT = emptyTensor([rows], 'float32');
  runKernel('layerNorm', [x, ...params], [y, meanT, rstdT], attrs);
  return record('layerNorm', [x, ...params], y, (dy) => {
    if (isGradEnabled()) return composedGrad(dy, x, gamma, beta, epsilon);
    const dx = uninitializedTensor(x.shape);
    const dgamma = emptyTensor(gamma?.requiresGrad ? [F] : [0], 'float32');
    const dbeta = emptyTensor(beta?.requiresGrad ? [F] : [0], 'float32');
    runKernel(
      'layerNormBackward',
      [dy, x, meanT, rstdT, ...(gamma ? [gamma] : [])],
      [dx, dgamma, dbeta],
      attrs,
    );
    const grads: (Tensor | null)[] = [x.requiresGrad ? dx : null];
    if (gamma) grads.push(gamma.requiresGrad ? dgamma : null);
    if (beta) grads.push(beta.requiresGrad ? dbeta : null);
    return grads;
  });
}

/** The same gradient written with public ops (statistics recomputed from x), so that it can itself be differentiated. */
function composedGrad(
  dy: Tensor,
  x: Tensor,
  gamma: Tensor | null,
  beta: Tensor | null,
  epsilon: number,
): (Tensor | null)[] {
  const centered = sub(x, mean(x, -1, true));
  const rstd = rsqrt(add(mean(square(centered), -1, true), epsilon));
  const xhat = mul(centered, rstd);
  const g = gamma ? mul(dy, gamma) : dy;
  const dx = mul(rstd, sub(sub(g, mean(g, -1, true)), mul(xhat, mean(mul(g, xhat), -1, true))));
  const lead = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const grads: (Tensor | null)[] = [dx];
  if (gamma) grads.push(sum(mul(dy, xhat), lead));
  if (beta) grads.push(sum(dy, lead));
  return grads;
}
