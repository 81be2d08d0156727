import { checkScratch } from '../../../tensor/allocation-budget.js';
import type { KernelInputs, KernelOutputs, QuantizedLstmAttrs } from '../../kernels.js';
import { quantizedMatMulRows, quantizeUint8Data } from './quantized-matmul.js';
import { activate as activateFn, timeAt } from './rnn-common.js';

const activate = activateFn;

/** y [M, N] = the dequantized product of uint8 q (scale, zero point in params) and int8 w. */
function dequantizedProduct(
  q: Uint8Array,
  params: Float32Array,
  w: Int8Array,
  wScale: Float32Array,
  y: Float32Array,
  M: number,
  K: number,
  N: number,
): void {
  const scale = new Float32Array(N);
  for (let j = 0; j < N; j++) scale[j] = params[0]! * wScale[j]!;
  quantizedMatMulRows(q, w, undefined, y, 'float32', {
    M,
    K,
    N,
    xZeroPoint: params[1]!,
    outputScale: scale,
    outputZeroPoint: 0,
    relu: false,
  });
}

/**
 * The dynamically quantized LSTM (QuantizedLstmAttrs gives the rule): x quantized once and
 * projected by one integer GEMM, then per step each batch row's h quantized over its own range and
 * multiplied by the int8 recurrent kernel, dequantized, and the float32 gates of the lstm kernel.
 */
export function quantizedLstmKernel(
  inputs: KernelInputs<'quantizedLstm'>,
  outputs: KernelOutputs<'quantizedLstm'>,
  a: QuantizedLstmAttrs,
): void {
  const [x, kernel, kernelScale, rk, rkScale, bias, h0, c0, mask] = inputs.map((t) => t.data);
  const y = outputs[0].data as Float32Array;
  const params = outputs[1].data as Float32Array;
  const { batch: B, steps: T, inDim, units: U, goBackwards } = a;
  const G = 4 * U;
  checkScratch(B * T * (inDim + 4 * G), `QuantizedLSTM's projected inputs [${B * T}, ${G}]`);
  const xq = new Uint8Array(B * T * inDim);
  quantizeUint8Data(x as Float32Array, B * T * inDim, xq, params);
  if (Number.isNaN(params[0])) return;
  const p = new Float32Array(B * T * G);
  dequantizedProduct(
    xq,
    params,
    kernel as Int8Array,
    kernelScale as Float32Array,
    p,
    B * T,
    inDim,
    G,
  );
  const b0 = bias as Float32Array;
  let h = Float32Array.from((h0 as Float32Array).subarray(0, B * U));
  let c = Float32Array.from((c0 as Float32Array).subarray(0, B * U));
  let hNext = new Float32Array(B * U);
  let cNext = new Float32Array(B * U);
  const hq = new Uint8Array(B * U);
  const hParams = new Float32Array(2);
  const z = new Float32Array(B * G);
  for (let s = 0; s < T; s++) {
    const t = timeAt(s, T, goBackwards);
    for (let b = 0; b < B; b++) {
      const hRow = hq.subarray(b * U, (b + 1) * U);
      quantizeUint8Data(h.subarray(b * U, (b + 1) * U), U, hRow, hParams);
      const zRow = z.subarray(b * G, (b + 1) * G);
      dequantizedProduct(hRow, hParams, rk as Int8Array, rkScale as Float32Array, zRow, 1, U, G);
    }
    for (let b = 0; b < B; b++) {
      const valid = mask[b * T + t]! !== 0;
      const zo = b * G;
      const po = (b * T + t) * G;
      const so = b * U;
      const yo = (b * (T + 2) + s) * U;
      const gate = (k: number, j: number) =>
        Math.fround(z[zo + k * U + j]! + Math.fround(p[po + k * U + j]! + b0[k * U + j]!));
      for (let j = 0; j < U; j++) {
        if (!valid) {
          hNext[so + j] = h[so + j]!;
          cNext[so + j] = c[so + j]!;
          y[yo + j] = 0;
          continue;
        }
        const i = activate(a.recurrentActivation, gate(0, j));
        const f = activate(a.recurrentActivation, gate(1, j));
        const g = activate(a.activation, gate(2, j));
        const o = activate(a.recurrentActivation, gate(3, j));
        const cv = Math.fround(f * c[so + j]! + i * g);
        const hv = Math.fround(o * activate(a.activation, cv));
        cNext[so + j] = cv;
        hNext[so + j] = hv;
        y[yo + j] = hv;
      }
    }
    [h, hNext] = [hNext, h];
    [c, cNext] = [cNext, c];
  }
  for (let b = 0; b < B; b++) {
    y.set(h.subarray(b * U, (b + 1) * U), (b * (T + 2) + T) * U);
    y.set(c.subarray(b * U, (b + 1) * U), (b * (T + 2) + T + 1) * U);
  }
}
