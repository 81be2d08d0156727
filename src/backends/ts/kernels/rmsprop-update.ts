import type { Tensor } from '../../../tensor/tensor.js';
import type { RmspropUpdateAttrs } from '../../kernels.js';

/**
 * Keras's RMSprop step, in place. inputs: [grad]; outputs: [variable, velocity,
 * momentum slot (if momentum > 0), average gradient (if centered)].
 * v = rho v + (1 - rho) g²; (centered: a = rho a + (1 - rho) g, denominator v - a² + eps, else v + eps);
 * step = lr g / sqrt(denominator); with momentum mom = momentum · mom + step, w -= mom; else w -= step.
 */
export function rmspropUpdateKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: RmspropUpdateAttrs,
): void {
  const g = inputs[0]!.data;
  const w = outputs[0]!.data;
  const v = outputs[1]!.data;
  const { learningRate: lr, rho, momentum: mu, epsilon, decay } = attrs;
  const mom = mu > 0 ? outputs[2]!.data : null;
  const avg = attrs.centered ? outputs[mu > 0 ? 3 : 2]!.data : null;
  const n = w.length;
  for (let i = 0; i < n; i++) {
    const wi = decay !== 0 ? w[i]! - w[i]! * decay : w[i]!;
    const gi = g[i]!;
    const vi = rho * v[i]! + (1 - rho) * gi * gi;
    v[i] = vi;
    let denominator = vi + epsilon;
    if (avg !== null) {
      const ai = rho * avg[i]! + (1 - rho) * gi;
      avg[i] = ai;
      denominator = vi - ai * ai + epsilon;
    }
    const step = (lr * gi) / Math.sqrt(denominator);
    if (mom !== null) {
      const mi = mu * mom[i]! + step;
      mom[i] = mi;
      w[i] = wi - mi;
    } else {
      w[i] = wi - step;
    }
  }
}
