import type { Tensor } from '../../../tensor/tensor.js';
import type { AdamUpdateAttrs } from '../../kernels.js';

/**
 * Keras's Adam step, in place. inputs: [grad]; outputs: [variable, m, v, vHat (amsgrad only)].
 * g is grad · gradScale;
 * m += (g - m)(1 - b1); v += (g² - v)(1 - b2); vHat = max(vHat, v); w -= alpha · m / (sqrt(v) + eps).
 */
export function adamUpdateKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: AdamUpdateAttrs,
): void {
  const g = inputs[0]!.data;
  const w = outputs[0]!.data;
  const m = outputs[1]!.data;
  const v = outputs[2]!.data;
  const { alpha, epsilon, decay } = attrs;
  const scale = attrs.gradScale ?? 1;
  const c1 = 1 - attrs.beta1;
  const c2 = 1 - attrs.beta2;
  const n = w.length;
  if (attrs.amsgrad) {
    const vHat = outputs[3]!.data;
    for (let i = 0; i < n; i++) {
      const wi = decay !== 0 ? w[i]! - w[i]! * decay : w[i]!;
      const gi = g[i]! * scale;
      const mi = m[i]! + (gi - m[i]!) * c1;
      const vi = v[i]! + (gi * gi - v[i]!) * c2;
      const vh = Math.max(vHat[i]!, vi);
      m[i] = mi;
      v[i] = vi;
      vHat[i] = vh;
      w[i] = wi - (alpha * mi) / (Math.sqrt(vh) + epsilon);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const wi = decay !== 0 ? w[i]! - w[i]! * decay : w[i]!;
    const gi = g[i]! * scale;
    const mi = m[i]! + (gi - m[i]!) * c1;
    const vi = v[i]! + (gi * gi - v[i]!) * c2;
    m[i] = mi;
    v[i] = vi;
    w[i] = wi - (alpha * mi) / (Math.sqrt(vi) + epsilon);
  }
}
