import type { NativeBinding } from '../binding.js';
import { nativeBinding } from '../index.js';

/** native/woq/woq_napi.cc: the weight-only int8/int4 matrix product (src/compress/weight-only). */
export interface WeightOnlyBinding {
  weightOnlyMatMul(
    x: Float32Array,
    w: Uint8Array,
    scale: Float32Array,
    colsum: Int32Array,
    bias: Float32Array | null,
    y: Float32Array,
    M: number,
    K: number,
    N: number,
    bits: number,
    groupSize: number,
  ): void;
  /** The kernel path on the ISA in use: 'avx512vnni', 'avxvnni', 'avx2' or 'portable'. */
  weightOnlyPath(): string;
}

/** The addon's weight-only kernels, or null (no addon, or one built before they existed). */
export function weightOnlyBinding(): WeightOnlyBinding | null {
  const native = nativeBinding() as (NativeBinding & Partial<WeightOnlyBinding>) | null;
  return native && typeof native.weightOnlyMatMul === 'function'
    ? (native as NativeBinding & WeightOnlyBinding)
    : null;
}
