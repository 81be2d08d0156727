import type {
  KernelInputs,
  KernelOutputs,
  QuantizedMatMulAttrs,
  QuantizeLinearAttrs,
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
  const y = outputs[0]!;
  quantizedMatMulRows(inputs[0].data, inputs[1].data, inputs[2]?.data, y.data, y.dtype, a);
}

type Ints = ArrayLike<number>;

/**
 * quantizedMatMul on plain arrays: x [M, K], w [K, N], y [M, N] of dtype `yDtype` (a float32 y
 * takes the float bias after the scaling, an 8-bit or int32 y the int32 bias in acc). The
 * quantized convolution calls it on its im2col rows.
 */
export function quantizedMatMulRows(
  x: Ints,
  w: Ints,
  biasData: Ints | undefined,
  yd: { [i: number]: number; set(a: ArrayLike<number>, at: number): void },
  yDtype: string,
  a: QuantizedMatMulAttrs,
): void {
  const { M, K, N, xZeroPoint, outputScale: scale, outputZeroPoint: yz } = a;
  // A float32 output dequantizes: its bias is float32 and comes after the scaling.
  const dequant = yDtype === 'float32';
  const bias = dequant ? undefined : biasData;
  const fbias = dequant ? biasData : undefined;
  const signed = yDtype === 'int8';
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

/** The quantization step shared by the dynamic and static kernels (QuantizeLinearAttrs). */
export function quantizeWith(x: Float32Array, q: Uint8Array, scale: number, zp: number): void {
  const qlo = -zp;
  const qhi = 255 - zp;
  for (let i = 0; i < x.length; i++) {
    const v = Math.fround(x[i]! / scale);
    q[i] = roundHalfEven(v >= qlo ? Math.min(v, qhi) : qlo) + zp;
  }
}

/** Static quantization to uint8 with a given scale and zero point (QuantizeLinearAttrs). */
export function quantizeLinearKernel(
  inputs: KernelInputs<'quantizeLinear'>,
  outputs: KernelOutputs<'quantizeLinear'>,
  a: QuantizeLinearAttrs,
): void {
  quantizeWith(
    inputs[0].data as Float32Array,
    outputs[0]!.data as Uint8Array,
    a.scale,
    a.zeroPoint,
  );
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
  quantizeUint8Data(
    inputs[0].data as Float32Array,
    a.size,
    outputs[0]!.data as Uint8Array,
    outputs[1]!.data as Float32Array,
  );
}

/** quantizeUint8 on plain arrays: x[0, n) into q, params = [scale, zeroPoint] (or NaN, NaN). */
export function quantizeUint8Data(
  x: Float32Array,
  n: number,
  q: Uint8Array,
  params: Float32Array,
): void {
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
  quantizeWith(x.subarray(0, n), q, scale, zp);
  params[0] = scale;
  params[1] = zp;
}
