import { Tensor } from '../../tensor/tensor.js';

/** Samples as rows: a tensor [n, ...] gives n float rows; a string list gives its strings. */
export type Samples = Tensor | readonly string[];

/** The number of samples. */
export function sampleCount(s: Samples): number {
  return s instanceof Tensor ? (s.shape[0] ?? 0) : s.length;
}

/** Row i of a tensor [n, ...] as a view of its data. */
export function rowOf(
  t: Tensor,
  i: number,
): ArrayLike<number> & { buffer: ArrayBufferLike; byteOffset: number; byteLength: number } {
  const size = t.size / t.shape[0]!;
  return t.data.subarray(i * size, (i + 1) * size) as Float32Array;
}

/** Integer labels from [n] class ids or one-hot / probability rows [n, k] (argmax). */
export function labelsOf(op: string, y: Tensor | readonly number[]): Int32Array {
  if (!(y instanceof Tensor)) {
    const out = Int32Array.from(y);
    y.forEach((v, i) => {
      if (!Number.isInteger(v))
        throw new TypeError(`${op}: label ${i} is ${v}; expected integer class ids`);
    });
    return out;
  }
  const n = y.shape[0] ?? 0;
  const width = n === 0 ? 1 : y.size / n;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (width === 1) {
      const v = y.data[i]!;
      if (!Number.isInteger(v) || v < 0)
        throw new TypeError(`${op}: label ${i} is ${v}; expected integer class ids >= 0`);
      out[i] = v;
    } else {
      let best = 0;
      for (let k = 1; k < width; k++)
        if (y.data[i * width + k]! > y.data[i * width + best]!) best = k;
      out[i] = best;
    }
  }
  return out;
}
