import { weightOnlyBinding } from '../../backends/native/kernels/weight-only-matmul.js';
import type { WeightOnlyMatrix } from './pack.js';
import { weightOnlyMatMulReference } from './reference.js';

/**
 * y [M, N] = x [M, K] · w + bias with w weight-only quantized (`quantizeWeightOnly`): each row of
 * x is quantized to int8 on the fly and multiplied in integers (native: vpdpbusd on AVX-512 VNNI
 * and AVX-VNNI, vpmaddubsw on AVX2, portable C++ otherwise; without the addon the TypeScript
 * reference). `useNative: false` runs the reference. Writes y; no tensors, no gradient.
 * `weightOnlyMatMul(x, 1, quantizeWeightOnly(w, 128, 384, 8, 128), y)`
 */
export function weightOnlyMatMul(
  x: Float32Array,
  M: number,
  w: WeightOnlyMatrix,
  y: Float32Array,
  useNative = true,
): void {
  if (!Number.isInteger(M) || M < 0 || x.length !== M * w.K || y.length !== M * w.N)
    throw new RangeError(
      `weightOnlyMatMul: expected x [${M}, ${w.K}] and y [${M}, ${w.N}], got ${x.length} and ${y.length} elements`,
    );
  const native = useNative ? weightOnlyBinding() : null;
  if (native)
    native.weightOnlyMatMul(
      x,
      w.packed,
      w.packedScales,
      w.colsum,
      w.bias,
      y,
      M,
      w.K,
      w.N,
      w.bits,
      w.groupSize,
    );
  else weightOnlyMatMulReference(x, M, w, y);
}
