import type { KernelInputs, KernelOutputs, QuantizedMatMulAttrs } from '../../kernels.js';

/** Rounds a finite value to the nearest integer, ties to even (as cvtps2dq and nearbyint). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // ties toward +Infinity
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * The integer GEMM of quantized inference, the specification of QuantizedMatMulAttrs: wrapping
 * int32 accumulators, then (for 8-bit outputs) float32 requantization. `Math.fround` makes each
 * float32 step exact: the double product of two float32 values is exact, so rounding it once
 * to float32 is the float32 multiply.
 */
export function quantizedMatMulKernel(
  inputs: KernelInputs<'quantizedMatMul'>,
  outputs: KernelOutputs<'quantizedMatMul'>,
  a: QuantizedMatMulAttrs,
): void {
  const { M, K, N, xZeroPoint, outputScale: scale, outputZeroPoint: yz } = a;
  const x = inputs[0].data;
  const w = inputs[1].data;
  const bias = inputs[2]?.data;
  const y = outputs[0]!;
  const yd = y.data;
  const signed = y.dtype === 'int8';
  const lo = Math.max(signed ? -128 : 0, a.relu ? yz : -128) - yz;
  const hi = (signed ? 127 : 255) - yz;
  const acc = new Int32Array(N);
  for (let i = 0; i < M; i++) {
    if (bias) for (let j = 0; j < N; j++) acc[j] = bias[j]!;
    else acc.fill(0);
    for (let k = 0; k < K; k++) {
      const xv = x[i * K + k]! - xZeroPoint;
      if (xv === 0) continue;
      const row = k * N;
      // |xv · w| <= 255 · 128, so each step is exact in double before wrapping to int32.
      for (let j = 0; j < N; j++) acc[j] = (acc[j]! + xv * w[row + j]!) | 0;
    }
    const out = i * N;
    if (scale === null) {
      yd.set(acc, out);
      continue;
    }
    const step = scale.length === 1 ? 0 : 1;
    for (let j = 0; j < N; j++) {
      const v = Math.fround(Math.fround(acc[j]!) * scale[j * step]!);
      // Clamping to integer bounds before rounding is the same as after, and keeps v small.
      yd[out + j] = roundHalfEven(Math.min(Math.max(v, lo), hi)) + yz;
    }
  }
}
