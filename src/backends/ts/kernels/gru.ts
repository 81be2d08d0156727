import type { Tensor } from '../../../tensor/tensor.js';
import type { RnnDims } from '../../kernels.js';
import { gemm } from './gemm.js';
import {
  activate as activateFn,
  derivative as derivativeFn,
  inputProjectionGrads,
  projectInputs,
  timeAt,
} from './rnn-common.js';

// Module-local bindings: a per-element call through an imported binding can cost a getter call
// when the module is compiled to CommonJS (tsx), which showed up in profiles.
const activate = activateFn;
const derivative = derivativeFn;

/**
 * The whole GRU time loop, Keras's resetAfter=true form (gate order z, r, h):
 * x·kernel + bias[0] and h·recurrentKernel + bias[1] are split into (z, r, h) parts;
 * z = σ(xz + rz), r = σ(xr + rr), hh = tanh(xh + r·rh), h = z·h + (1 - z)·hh.
 * Inputs: x [b, T, in], kernel [in, 3u], recurrentKernel [u, 3u], bias [2, 3u], h0 [b, u],
 * mask [b, T], recurrentMask [b, u]. Outputs: y [b, T + 1, u] (step outputs, then the last h),
 * gates [T, b, 4u] (z, r, hh and the recurrent part rh, for the backward pass), h [T + 1, b, u].
 */
export function gruKernel(inputs: readonly Tensor[], outputs: readonly Tensor[], a: RnnDims): void {
  const [x, kernel, rk, bias, h0, mask, recMask] = inputs.map((t) => t.data as Float32Array);
  const [y, gates, hs] = outputs.map((t) => t.data as Float32Array);
  const { batch: B, steps: T, inDim, units: U, goBackwards } = a;
  const G = 3 * U;
  const p = projectInputs(x!, kernel!, bias!, 0, B * T, inDim, G);
  hs!.set(h0!.subarray(0, B * U));
  const hm = new Float32Array(B * U);
  const rec = new Float32Array(B * G);
  for (let s = 0; s < T; s++) {
    const t = timeAt(s, T, goBackwards);
    const prev = s * B * U;
    const next = (s + 1) * B * U;
    for (let b = 0; b < B; b++) {
      rec.set(bias!.subarray(G, 2 * G), b * G);
      for (let j = 0; j < U; j++) hm[b * U + j] = hs![prev + b * U + j]! * recMask![b * U + j]!;
    }
    gemm(hm, 0, rk!, 0, rec, 0, B, G, U, false, false);
    for (let b = 0; b < B; b++) {
      const valid = mask![b * T + t]! !== 0;
      const po = (b * T + t) * G;
      const ro = b * G;
      const go = (s * B + b) * 4 * U;
      const so = b * U;
      const yo = (b * (T + 1) + s) * U;
      for (let j = 0; j < U; j++) {
        const z = activate(a.recurrentActivation, p[po + j]! + rec[ro + j]!);
        const r = activate(a.recurrentActivation, p[po + U + j]! + rec[ro + U + j]!);
        const rh = rec[ro + 2 * U + j]!;
        const hh = activate(a.activation, p[po + 2 * U + j]! + r * rh);
        gates![go + j] = z;
        gates![go + U + j] = r;
        gates![go + 2 * U + j] = hh;
        gates![go + 3 * U + j] = rh;
        const hPrev = hs![prev + so + j]!;
        if (valid) {
          const h = z * hPrev + (1 - z) * hh;
          hs![next + so + j] = h;
          y![yo + j] = h;
        } else hs![next + so + j] = hPrev;
      }
    }
  }
  for (let b = 0; b < B; b++)
    y!.set(hs!.subarray(T * B * U + b * U, T * B * U + (b + 1) * U), (b * (T + 1) + T) * U);
}

/**
 * Backpropagation through time for `gruKernel`. Inputs: dy [b, T + 1, u], x, kernel,
 * recurrentKernel, bias, gates, h, mask, recurrentMask. Outputs: dx, dKernel, dRecurrentKernel,
 * dBias [2, 3u], dh0.
 */
export function gruBackwardKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: RnnDims,
): void {
  const [dy, x, kernel, rk, _bias, gates, hs, mask, recMask] = inputs.map(
    (t) => t.data as Float32Array,
  );
  const [dx, dKernel, dRk, dBias, dh0] = outputs.map((t) => t.data as Float32Array);
  const { batch: B, steps: T, inDim, units: U, goBackwards } = a;
  const G = 3 * U;
  const dP = new Float32Array(B * T * G);
  const dRall = new Float32Array(B * T * G);
  const hPrevAll = new Float32Array(B * T * U);
  const dh = new Float32Array(B * U);
  const dR = new Float32Array(B * G);
  const dhRec = new Float32Array(B * U);
  for (let b = 0; b < B; b++)
    dh.set(dy!.subarray((b * (T + 1) + T) * U, (b * (T + 1) + T + 1) * U), b * U);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(s, T, goBackwards);
    const prev = s * B * U;
    dR.fill(0);
    for (let b = 0; b < B; b++) {
      if (mask![b * T + t]! === 0) continue;
      const go = (s * B + b) * 4 * U;
      const so = b * U;
      const po = (b * T + t) * G;
      const ro = b * G;
      const yo = (b * (T + 1) + s) * U;
      for (let j = 0; j < U; j++) {
        const z = gates![go + j]!;
        const r = gates![go + U + j]!;
        const hh = gates![go + 2 * U + j]!;
        const rh = gates![go + 3 * U + j]!;
        const dhj = dh[so + j]! + dy![yo + j]!;
        const dah = dhj * (1 - z) * derivative(a.activation, hh);
        const daz = dhj * (hs![prev + so + j]! - hh) * derivative(a.recurrentActivation, z);
        const dar = dah * rh * derivative(a.recurrentActivation, r);
        dP[po + j] = daz;
        dP[po + U + j] = dar;
        dP[po + 2 * U + j] = dah;
        dR[ro + j] = daz;
        dR[ro + U + j] = dar;
        dR[ro + 2 * U + j] = dah * r;
        dh[so + j] = dhj * z;
      }
    }
    dhRec.fill(0);
    gemm(dR, 0, rk!, 0, dhRec, 0, B, U, G, false, true);
    for (let b = 0; b < B; b++) {
      const so = b * U;
      const valid = mask![b * T + t]! !== 0;
      const ho = (b * T + t) * U;
      for (let j = 0; j < U; j++) {
        const r = recMask![so + j]!;
        hPrevAll[ho + j] = hs![prev + so + j]! * r;
        if (valid) dh[so + j]! += dhRec[so + j]! * r;
      }
      dRall.set(dR.subarray(b * G, (b + 1) * G), (b * T + t) * G);
    }
  }
  gemm(hPrevAll, 0, dRall, 0, dRk!, 0, U, G, B * T, true, false);
  for (let r = 0; r < B * T; r++) for (let g = 0; g < G; g++) dBias![G + g]! += dRall[r * G + g]!;
  inputProjectionGrads(x!, kernel!, dP, B * T, inDim, G, dx!, dKernel!, dBias!, 0);
  dh0!.set(dh);
}
