import type { DType } from '../tensor/dtype.js';

/** Keel dtype → safetensors dtype name. */
export const SAFETENSORS_DTYPE: Readonly<Record<DType, string>> = {
  float32: 'F32',
  int32: 'I32',
  bool: 'BOOL',
  int8: 'I8',
  uint8: 'U8',
  bfloat16: 'BF16',
};

/** safetensors dtype name → Keel dtype (only those Keel stores). */
export const KEEL_DTYPE: ReadonlyMap<string, DType> = new Map(
  Object.entries(SAFETENSORS_DTYPE).map(([k, v]) => [v, k as DType]),
);
