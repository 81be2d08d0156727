import type { TypedArray } from '../../../tensor/dtype.js';

/**
 * y[i0, ..., ik] = x[offset + sum_d i_d * strides[d]] for every index of `shape` (strides may be
 * negative). Slice and reverse are this walk with different offsets and strides.
 */
export function stridedCopy(
  x: TypedArray,
  offset: number,
  strides: readonly number[],
  y: TypedArray,
  shape: readonly number[],
): void {
  const n = y.length;
  if (n === 0) return;
  const rank = shape.length;
  if (rank === 0) {
    y[0] = x[offset]!;
    return;
  }
  const last = shape[rank - 1]!;
  const ls = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let off = offset;
  for (let o = 0; o < n; o += last) {
    // Long contiguous rows copy with set(); short ones loop rather than allocate a subarray view.
    if (ls === 1 && last >= 16) y.set(x.subarray(off, off + last), o);
    else for (let i = 0; i < last; i++) y[o + i] = x[off + i * ls]!;
    // Advance the multi-index over all axes but the last, carrying like an odometer.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      off += strides[d]!;
      if (index[d]! < shape[d]!) break;
      off -= strides[d]! * index[d]!;
      index[d] = 0;
    }
  }
}

/**
 * y[i0, ..., ik] = x[sum_d maps[d][i_d] * strides[d]], or `fill` where any maps[d][i_d] is -1.
 * maps[d] has one entry per output index along axis d. Tile and pad are this walk.
 */
export function mappedCopy(
  x: TypedArray,
  maps: readonly Int32Array[],
  strides: readonly number[],
  y: TypedArray,
  shape: readonly number[],
  fill: number,
): void {
  const n = y.length;
  if (n === 0) return;
  const rank = shape.length;
  if (rank === 0) {
    y[0] = x[0]!;
    return;
  }
  const last = shape[rank - 1]!;
  const lastMap = maps[rank - 1]!;
  const ls = strides[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  // offs[d] is the input offset contributed by axes < d, or -1 once some axis maps to padding.
  const offs = new Array<number>(rank).fill(0);
  for (let d = 1; d < rank; d++) {
    const m = maps[d - 1]![0]!;
    offs[d] = offs[d - 1]! < 0 || m < 0 ? -1 : offs[d - 1]! + m * strides[d - 1]!;
  }
  for (let o = 0; o < n; o += last) {
    const base = offs[rank - 1]!;
    if (base < 0) for (let i = 0; i < last; i++) y[o + i] = fill;
    else
      for (let i = 0; i < last; i++) {
        const m = lastMap[i]!;
        y[o + i] = m < 0 ? fill : x[base + m * ls]!;
      }
    let d = rank - 2;
    for (; d >= 0; d--) {
      index[d]!++;
      if (index[d]! < shape[d]!) break;
      index[d] = 0;
    }
    if (d < 0) break;
    // Recompute the offsets of the axes after the one that advanced.
    for (let e = d; e < rank - 1; e++) {
      const m = maps[e]![index[e]!]!;
      offs[e + 1] = offs[e]! < 0 || m < 0 ? -1 : offs[e]! + m * strides[e]!;
    }
  }
}
