import type { Tensor } from '../../../tensor/tensor.js';
import { registerKernel } from '../../registry.js';

export interface AdamUpdateAttrs {
  /** lr · sqrt(1 - beta2^t) / (1 - beta1^t), t the 1-based step. */
  alpha: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  amsgrad: boolean;
  /** Decoupled weight decay factor (learningRate · weightDecay): w -= decay · w first. */
  decay: number;
  /** The gradient is used as g · gradScale (global-norm clipping without a scaled copy); default 1. */
  gradScale?: number;
}

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

registerKernel('adamUpdate', 'ts', adamUpdateKernel);
