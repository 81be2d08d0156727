import { stridesOf } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { TransposeAttrs } from '../../kernels.js';

/** y = x with axes permuted: y.shape[i] = x.shape[perm[i]]. Walks y in order, x by strides. */
export function transposeKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: TransposeAttrs,
): void {
  const x = inputs[0]!;
  const y = outputs[0]!;
  const xd = x.data;
  const yd = y.data;
  const n = y.size;
  if (n === 0) return;
  const rank = y.shape.length;
  if (rank === 0) {
    yd[0] = xd[0]!;
    return;
  }
  if (rank === 2 && attrs.perm[0] === 1) {
    const [R, C] = x.shape as [number, number];
    // Blocked 2-D transpose keeps both reads and writes within cache lines.
    const B = 32;
    for (let i0 = 0; i0 < R; i0 += B) {
      for (let j0 = 0; j0 < C; j0 += B) {
        const iEnd = Math.min(i0 + B, R);
        const jEnd = Math.min(j0 + B, C);
        for (let i = i0; i < iEnd; i++)
          for (let j = j0; j < jEnd; j++) yd[j * R + i] = xd[i * C + j]!;
      }
    }
    return;
  }
  const xs = stridesOf(x.shape);
  const s = attrs.perm.map((p) => xs[p]!);
  const last = y.shape[rank - 1]!;
  const ls = s[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let off = 0;
  for (let r = 0; r < n / last; r++) {
    const o = r * last;
    for (let i = 0; i < last; i++) yd[o + i] = xd[off + i * ls]!;
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      off += s[d]!;
      if (index[d]! < y.shape[d]!) break;
      off -= s[d]! * index[d]!;
      index[d] = 0;
    }
  }
}
