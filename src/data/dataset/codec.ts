import type { DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';

/** A tensor as a structured-clone / v8.serialize friendly record. */
export interface EncodedTensor {
  __keelTensor: true;
  data: ArrayBufferView;
  shape: number[];
  dtype: DType;
}

/** Replaces tensors in an element by plain records (for workers and cache files). */
export function encodeElement(v: unknown): unknown {
  if (v instanceof Tensor)
    return { __keelTensor: true, data: v.data, shape: [...v.shape], dtype: v.dtype };
  if (Array.isArray(v)) return v.map(encodeElement);
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, encodeElement(x)]));
  }
  return v;
}

/** Inverse of encodeElement. */
export function decodeElement(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeElement);
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v)) {
    const r = v as Record<string, unknown>;
    if (r.__keelTensor === true) {
      return new Tensor(r.data as never, r.shape as number[], r.dtype as DType);
    }
    return Object.fromEntries(Object.entries(r).map(([k, x]) => [k, decodeElement(x)]));
  }
  return v;
}
