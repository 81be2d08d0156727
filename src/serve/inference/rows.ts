/** Tensors as rows: joining requests into one batch and cutting a batch's outputs back apart. */
import type { WireTensor } from './wire.js';

/** What must match for requests to share a batch: each input's dtype and non-batch axes. */
export function shapeKey(inputs: readonly WireTensor[]): string {
  let key = '';
  for (const t of inputs)
    key += `${t.data instanceof Int32Array ? 'i' : 'f'}${t.shape.slice(1).join(',')};`;
  return key;
}

/** The tensors stacked along axis 0 (all with the same non-batch axes and type). */
export function concatRows(parts: readonly WireTensor[]): WireTensor {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  let size = 0;
  let rows = 0;
  for (const p of parts) {
    size += p.data.length;
    rows += p.shape[0]!;
  }
  const data = new (first.data.constructor as typeof Float32Array)(size);
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, shape: [rows, ...first.shape.slice(1)] };
}

/** Rows [from, from + rows) of a tensor, sharing its storage. */
export function sliceRows(t: WireTensor, from: number, rows: number): WireTensor {
  const total = t.shape[0]!;
  const per = total === 0 ? 0 : t.data.length / total;
  return {
    data: t.data.subarray(from * per, (from + rows) * per),
    shape: [rows, ...t.shape.slice(1)],
  };
}
