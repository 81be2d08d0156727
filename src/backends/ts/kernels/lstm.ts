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
 * The whole LSTM time loop (Keras gate order i, f, c, o).
 * Inputs: x [b, T, in], kernel [in, 4u], recurrentKernel [u, 4u], bias [4u], h0 [b, u], c0 [b, u],
 * mask [b, T] (1 = valid step), recurrentMask [b, u] (recurrent dropout, applied to h before
 * the recurrent product). Outputs: y [b, T + 2, u] (the step outputs in processing order, zero at
 * masked steps, then the last h and the last c), and what the backward pass reads: gates
 * [T, b, 4u] (after their activations), c [T + 1, b, u] and h [T + 1, b, u] (the carried states,
 * index 0 the initial ones). A masked step carries the previous h and c unchanged.
 */
export function lstmKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: RnnDims,
): void {
  const [x, kernel, rk, bias, h0, c0, mask, recMask] = inputs.map((t) => t.data as Float32Array);
  const [y, gates, cs, hs] = outputs.map((t) => t.data as Float32Array);
  const { batch: B, steps: T, inDim, units: U, goBackwards } = a;
  const G = 4 * U;
  const p = projectInputs(x!, kernel!, bias!, 0, B * T, inDim, G);
  hs!.set(h0!.subarray(0, B * U));
  cs!.set(c0!.subarray(0, B * U));
  const hm = new Float32Array(B * U);
  for (let s = 0; s < T; s++) {
    const t = timeAt(s, T, goBackwards);
    const z = gates!.subarray(s * B * G, (s + 1) * B * G);
    const hPrev = s * B * U;
    for (let b = 0; b < B; b++) {
      z.set(p.subarray((b * T + t) * G, (b * T + t + 1) * G), b * G);
      for (let j = 0; j < U; j++) hm[b * U + j] = hs![hPrev + b * U + j]! * recMask![b * U + j]!;
    }
    gemm(hm, 0, rk!, 0, z, 0, B, G, U, false, false);
    const hNext = (s + 1) * B * U;
    for (let b = 0; b < B; b++) {
      const valid = mask![b * T + t]! !== 0;
      const zo = b * G;
      const so = b * U;
      const yo = (b * (T + 2) + s) * U;
      for (let j = 0; j < U; j++) {
        const i = activate(a.recurrentActivation, z[zo + j]!);
        const f = activate(a.recurrentActivation, z[zo + U + j]!);
        const g = activate(a.activation, z[zo + 2 * U + j]!);
        const o = activate(a.recurrentActivation, z[zo + 3 * U + j]!);
        z[zo + j] = i;
        z[zo + U + j] = f;
        z[zo + 2 * U + j] = g;
        z[zo + 3 * U + j] = o;
        if (valid) {
          const c = f * cs![hPrev + so + j]! + i * g;
          const h = o * activate(a.activation, c);
          cs![hNext + so + j] = c;
          hs![hNext + so + j] = h;
          y![yo + j] = h;
        } else {
          cs![hNext + so + j] = cs![hPrev + so + j]!;
          hs![hNext + so + j] = hs![hPrev + so + j]!;
        }
      }
    }
  }
  for (let b = 0; b < B; b++) {
    y!.set(hs!.subarray(T * B * U + b * U, T * B * U + (b + 1) * U), (b * (T + 2) + T) * U);
    y!.set(cs!.subarray(T * B * U + b * U, T * B * U + (b + 1) * U), (b * (T + 2) + T + 1) * U);
  }
}

/**
 * Backpropagation through time for `lstmKernel`. Inputs: dy [b, T + 2, u], x, kernel,
 * recurrentKernel, bias, gates, c, h, mask, recurrentMask. Outputs: dx [b, T, in], dKernel [in, 4u],
 * dRecurrentKernel [u, 4u], dBias [4u], dh0 [b, u], dc0 [b, u]. Per step one [b, 4u]·[4u, u]
 * GEMM; the weight and input gradients are three GEMMs at the end.
 */
export function lstmBackwardKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: RnnDims,
): void {
  const [dy, x, kernel, rk, _bias, gates, cs, hs, mask, recMask] = inputs.map(
    (t) => t.data as Float32Array,
  );
  const [dx, dKernel, dRk, dBias, dh0, dc0] = outputs.map((t) => t.data as Float32Array);
  const { batch: B, steps: T, inDim, units: U, goBackwards } = a;
  const G = 4 * U;
  const dP = new Float32Array(B * T * G); // by time index, [b, T, 4u]
  const hPrevAll = new Float32Array(B * T * U); // recurrent-masked h fed into step t, [b, T, u]
  const dh = new Float32Array(B * U);
  const dc = new Float32Array(B * U);
  const dz = new Float32Array(B * G);
  const dhRec = new Float32Array(B * U);
  for (let b = 0; b < B; b++) {
    dh.set(dy!.subarray((b * (T + 2) + T) * U, (b * (T + 2) + T + 1) * U), b * U);
    dc.set(dy!.subarray((b * (T + 2) + T + 1) * U, (b * (T + 2) + T + 2) * U), b * U);
  }
  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(s, T, goBackwards);
    const z = s * B * G;
    const prev = s * B * U;
    const next = (s + 1) * B * U;
    for (let b = 0; b < B; b++) {
      const valid = mask![b * T + t]! !== 0;
      const zo = b * G;
      const so = b * U;
      if (!valid) {
        dz.fill(0, zo, zo + G);
        continue;
      }
      const yo = (b * (T + 2) + s) * U;
      for (let j = 0; j < U; j++) {
        const i = gates![z + zo + j]!;
        const f = gates![z + zo + U + j]!;
        const g = gates![z + zo + 2 * U + j]!;
        const o = gates![z + zo + 3 * U + j]!;
        const ac = activate(a.activation, cs![next + so + j]!);
        const dhj = dh[so + j]! + dy![yo + j]!;
        const dcj = dc[so + j]! + dhj * o * derivative(a.activation, ac);
        dz[zo + j] = dcj * g * derivative(a.recurrentActivation, i);
        dz[zo + U + j] = dcj * cs![prev + so + j]! * derivative(a.recurrentActivation, f);
        dz[zo + 2 * U + j] = dcj * i * derivative(a.activation, g);
        dz[zo + 3 * U + j] = dhj * ac * derivative(a.recurrentActivation, o);
        dc[so + j] = dcj * f;
      }
    }
    dhRec.fill(0);
    gemm(dz, 0, rk!, 0, dhRec, 0, B, U, G, false, true);
    for (let b = 0; b < B; b++) {
      const so = b * U;
      const valid = mask![b * T + t]! !== 0;
      const ho = (b * T + t) * U;
      for (let j = 0; j < U; j++) {
        const r = recMask![so + j]!;
        hPrevAll[ho + j] = hs![prev + so + j]! * r;
        if (valid) dh[so + j] = dhRec[so + j]! * r;
        // A masked step passes dh and dc through unchanged (its output gradient is dropped).
      }
      dP.set(dz.subarray(b * G, (b + 1) * G), (b * T + t) * G);
    }
  }
  gemm(hPrevAll, 0, dP, 0, dRk!, 0, U, G, B * T, true, false);
  inputProjectionGrads(x!, kernel!, dP, B * T, inDim, G, dx!, dKernel!, dBias!, 0);
  dh0!.set(dh);
  dc0!.set(dc);
}
