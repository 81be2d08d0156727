import type { Tensor } from '../../../tensor/tensor.js';
import type { LayerNormAttrs } from '../../kernels.js';

/**
 * Fused layer normalization: y = (x - mean) · rstd · gamma + beta per row, rstd = 1/√(var + ε).
 * Inputs x [, gamma] [, beta]; outputs y, mean [rows], rstd [rows] (saved for the backward kernel).
 * Sums accumulate in float64.
 */
export function layerNorm(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: LayerNormAttrs,
): void {
  const x = inputs[0]!.data;
  const gamma = a.hasGamma ? inputs[1]!.data : null;
  const beta = a.hasBeta ? inputs[a.hasGamma ? 2 : 1]!.data : null;
  const [y, meanOut, rstdOut] = outputs.map((t) => t.data) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const F = a.features;
  for (let r = 0; r < a.rows; r++) {
    const off = r * F;
    let s = 0;
    for (let f = 0; f < F; f++) s += x[off + f]!;
    const mean = s / F;
    let v = 0;
    for (let f = 0; f < F; f++) {
      const d = x[off + f]! - mean;
      v += d * d;
    }
    const rstd = 1 / Math.sqrt(v / F + a.epsilon);
    meanOut[r] = mean;
    rstdOut[r] = rstd;
    for (let f = 0; f < F; f++) {
      let o = (x[off + f]! - mean) * rstd;
      if (gamma) o *= gamma[f]!;
      if (beta) o += beta[f]!;
      y[off + f] = o;
    }
  }
}

/**
 * The analytic backward pass. Inputs dy, x, mean, rstd [, gamma]; outputs dx, dgamma, dbeta
 * (dgamma/dbeta are [features] and may be empty tensors when not wanted).
 * With x̂ = (x - mean) · rstd and g = dy · gamma: dx = rstd · (g - mean(g) - x̂ · mean(g · x̂)).
 */
export function layerNormBackward(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: LayerNormAttrs,
): void {
  const [dy, x, meanIn, rstdIn] = inputs.map((t) => t.data) as Float32Array[];
  const gamma = a.hasGamma ? inputs[4]!.data : null;
  const [dx, dgamma, dbeta] = outputs.map((t) => t.data) as [
    Float32Array,
    Float32Array,
    Float32Array,
  ];
  const F = a.features;
  const wantGamma = dgamma.length === F;
  const wantBeta = dbeta.length === F;
  const accGamma = new Float64Array(wantGamma ? F : 0);
  const accBeta = new Float64Array(wantBeta ? F : 0);
  for (let r = 0; r < a.rows; r++) {
    const off = r * F;
    const mean = meanIn![r]!;
    const rstd = rstdIn![r]!;
    let sumG = 0;
    let sumGX = 0;
    for (let f = 0; f < F; f++) {
      const xh = (x![off + f]! - mean) * rstd;
      const d = dy![off + f]!;
      const g = gamma ? d * gamma[f]! : d;
      sumG += g;
      sumGX += g * xh;
      if (wantGamma) accGamma[f]! += d * xh;
      if (wantBeta) accBeta[f]! += d;
    }
    const mG = sumG / F;
    const mGX = sumGX / F;
    for (let f = 0; f < F; f++) {
      const xh = (x![off + f]! - mean) * rstd;
      const d = dy![off + f]!;
      const g = gamma ? d * gamma[f]! : d;
      dx[off + f] = rstd * (g - mG - xh * mGX);
    }
  }
  for (let f = 0; f < accGamma.length; f++) dgamma[f] = accGamma[f]!;
  for (let f = 0; f < accBeta.length; f++) dbeta[f] = accBeta[f]!;
}
