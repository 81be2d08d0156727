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
 * The whole SimpleRNN time loop: h = activation(x_t·kernel + bias + h·recurrentKernel).
 * Inputs: x [b, T, in], kernel [in, u], recurrentKernel [u, u], bias [u], h0 [b, u], mask [b, T],
 * recurrentMask [b, u]. Outputs: y [b, T + 1, u] (step outputs, then the last h) and
 * h [T + 1, b, u] (the carried states, for the backward pass).
 */
export function simpleRnnKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: RnnDims,
): void {
  const [x, kernel, rk, bias, h0, mask, recMask] = inputs.map((t) => t.data as Float32Array);
  const [y, hs] = outputs.map((t) => t.data as Float32Array);
  const { batch: B, steps: T, inDim, units: U, goBackwards } = a;
  const p = projectInputs(x!, kernel!, bias!, 0, B * T, inDim, U);
  hs!.set(h0!.subarray(0, B * U));
  const hm = new Float32Array(B * U);
  const z = new Float32Array(B * U);
  for (let s = 0; s < T; s++) {
    const t = timeAt(s, T, goBackwards);
    const prev = s * B * U;
    const next = (s + 1) * B * U;
    for (let b = 0; b < B; b++) {
      z.set(p.subarray((b * T + t) * U, (b * T + t + 1) * U), b * U);
      for (let j = 0; j < U; j++) hm[b * U + j] = hs![prev + b * U + j]! * recMask![b * U + j]!;
    }
    gemm(hm, 0, rk!, 0, z, 0, B, U, U, false, false);
    for (let b = 0; b < B; b++) {
      const valid = mask![b * T + t]! !== 0;
      const yo = (b * (T + 1) + s) * U;
      for (let j = 0; j < U; j++) {
        const i = b * U + j;
        if (valid) {
          const h = activate(a.activation, z[i]!);
          hs![next + i] = h;
          y![yo + j] = h;
        } else hs![next + i] = hs![prev + i]!;
      }
    }
  }
  for (let b = 0; b < B; b++)
    y!.set(hs!.subarray(T * B * U + b * U, T * B * U + (b + 1) * U), (b * (T + 1) + T) * U);
}

/**
 * Backpropagation through time for `simpleRnnKernel`. Inputs: dy [b, T + 1, u], x, kernel,
 * recurrentKernel, bias, h, mask, recurrentMask. Outputs: dx, dKernel, dRecurrentKernel, dBias, dh0.
 */
export function simpleRnnBackwardKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: RnnDims,
): void {
  const [dy, x, kernel, rk, _bias, hs, mask, recMask] = inputs.map((t) => t.data as Float32Array);
  const [dx, dKernel, dRk, dBias, dh0] = outputs.map((t) => t.data as Float32Array);
  const { batch: B, steps: T, inDim, units: U, goBackwards } = a;
  const dP = new Float32Array(B * T * U);
  const hPrevAll = new Float32Array(B * T * U);
  const dh = new Float32Array(B * U);
  const da = new Float32Array(B * U);
  const dhRec = new Float32Array(B * U);
  for (let b = 0; b < B; b++)
    dh.set(dy!.subarray((b * (T + 1) + T) * U, (b * (T + 1) + T + 1) * U), b * U);
  for (let s = T - 1; s >= 0; s--) {
    const t = timeAt(s, T, goBackwards);
    const prev = s * B * U;
    const next = (s + 1) * B * U;
    da.fill(0);
    for (let b = 0; b < B; b++) {
      if (mask![b * T + t]! === 0) continue;
      const yo = (b * (T + 1) + s) * U;
      for (let j = 0; j < U; j++) {
        const i = b * U + j;
        da[i] = (dh[i]! + dy![yo + j]!) * derivative(a.activation, hs![next + i]!);
      }
    }
    dhRec.fill(0);
    gemm(da, 0, rk!, 0, dhRec, 0, B, U, U, false, true);
    for (let b = 0; b < B; b++) {
      const valid = mask![b * T + t]! !== 0;
      const ho = (b * T + t) * U;
      for (let j = 0; j < U; j++) {
        const i = b * U + j;
        const r = recMask![i]!;
        hPrevAll[ho + j] = hs![prev + i]! * r;
        if (valid) dh[i] = dhRec[i]! * r;
      }
      dP.set(da.subarray(b * U, (b + 1) * U), ho);
    }
  }
  gemm(hPrevAll, 0, dP, 0, dRk!, 0, U, U, B * T, true, false);
  inputProjectionGrads(x!, kernel!, dP, B * T, inDim, U, dx!, dKernel!, dBias!, 0);
  dh0!.set(dh);
}
