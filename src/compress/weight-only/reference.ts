import { roundHalfEven, type WeightOnlyMatrix } from './pack.js';

/**
 * The TypeScript reference of `weightOnlyMatMul`, the definition the native kernel is tested
 * against: each row of x [M, K] is quantized to int8 (scale = max |x| / 127 in float32, code =
 * x / scale rounded half to even, clamped to ±127), the integer dot products with the codes are
 * exact, and then in float32: int8 y = f32(acc) · f32(xScale · scale[j]) + bias[j]; int4
 * y = (Σ_g f32(acc_g) · scale[j, g], summed over g in order) · xScale + bias[j].
 */
export function weightOnlyMatMulReference(
  x: Float32Array,
  M: number,
  w: WeightOnlyMatrix,
  y: Float32Array,
): void {
  const { K, N, bits, groupSize, codes, scales, bias } = w;
  const groups = bits === 8 ? 1 : Math.ceil(K / groupSize);
  const xq = new Int32Array(K);
  const f = Math.fround;
  for (let r = 0; r < M; r++) {
    let amax = 0;
    for (let k = 0; k < K; k++) amax = Math.max(amax, Math.abs(x[r * K + k]!));
    const xs = f(amax / 127);
    for (let k = 0; k < K; k++)
      xq[k] = xs === 0 ? 0 : Math.max(-127, Math.min(127, roundHalfEven(f(x[r * K + k]! / xs))));
    for (let j = 0; j < N; j++) {
      let out: number;
      if (bits === 8) {
        let acc = 0;
        for (let k = 0; k < K; k++) acc += xq[k]! * codes[j * K + k]!;
        out = f(f(acc) * f(xs * scales[j]!));
      } else {
        let facc = 0;
        for (let g = 0; g < groups; g++) {
          let acc = 0;
          for (let k = g * groupSize; k < Math.min(K, (g + 1) * groupSize); k++)
            acc += xq[k]! * codes[j * K + k]!;
          facc = f(facc + f(f(acc) * scales[j * groups + g]!));
        }
        out = f(facc * xs);
      }
      y[r * N + j] = bias ? f(out + bias[j]!) : out;
    }
  }
}
