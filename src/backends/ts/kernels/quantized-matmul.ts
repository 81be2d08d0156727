import type {
  KernelInputs,
  KernelOutputs,
  QuantizedMatMulAttrs,
  QuantizeUint8Attrs,
} from '../../kernels.js';

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
  const y = outputs[0]!;
  const yd = y.data;
  // A float32 output dequantizes: its bias is float32 and comes after the scaling.
  const dequant = y.dtype === 'float32';
  const bias = dequant ? undefined : inputs[2]?.data;
  const fbias = dequant ? inputs[2]?.data : undefined;
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
    if (dequant) {
      for (let j = 0; j < N; j++) {
        const p = Math.fround(Math.fround(acc[j]!) * scale[j * step]!);
        const v = fbias ? Math.fround(p + fbias[j]!) : p;
        // biome-ignore lint/complexity/useMathMinMax: NaN goes to 0 here, as in the C++ epilogue
        yd[out + j] = a.relu ? (v > 0 ? v : 0) : v;
      }
      continue;
    }
    for (let j = 0; j < N; j++) {
      const v = Math.fround(Math.fround(acc[j]!) * scale[j * step]!);
      // Clamping to integer bounds before rounding is the same as after, and keeps v small.
      yd[out + j] = roundHalfEven(Math.min(Math.max(v, lo), hi)) + yz;
    }
  }
}

/**
 * Per-tensor dynamic quantization to uint8, the specification of QuantizeUint8Attrs: one pass for
 * the range, one to quantize. The scale and zero point are computed in double exactly as
 * `uint8Params` (nn/layers/quantized-dense.ts) does.
 */
export function quantizeUint8Kernel(
  inputs: KernelInputs<'quantizeUint8'>,
  outputs: KernelOutputs<'quantizeUint8'>,
  a: QuantizeUint8Attrs,
): void {
  const x = inputs[0].data;
  const q = outputs[0]!.data;
  const params = outputs[1]!.data;
  const n = a.size;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const v = x[i]!;
    if (!(v - v === 0)) {
      // NaN or ±Infinity
      params[0] = Number.NaN;
      params[1] = Number.NaN;
      return;
    }
    if (v < lo) lo = v;
    else if (v > hi) hi = v;
  }
  const scale = Math.fround(hi > lo ? (hi - lo) / 255 : 1);
  const zp = Math.min(255, Math.max(0, roundHalfEven(-lo / scale)));
  const qlo = -zp;
  const qhi = 255 - zp;
  for (let i = 0; i < n; i++) {
    const v = Math.fround(x[i]! / scale);
    q[i] = roundHalfEven(Math.min(Math.max(v, qlo), qhi)) + zp;
  }
  params[0] = scale;
  params[1] = zp;
}
