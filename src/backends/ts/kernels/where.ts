import { broadcastStrides } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';

/** y = cond ? a : b elementwise, all three broadcast to y's shape; walks y row by row. */
export function whereKernel(inputs: readonly Tensor[], outputs: readonly Tensor[]): void {
  const [c, a, b] = inputs as [Tensor, Tensor, Tensor];
  const y = outputs[0]!;
  const cd = c.data;
  const ad = a.data;
  const bd = b.data;
  const yd = y.data;
  const n = y.size;
  if (n === 0) return;
  if (c.size === n && a.size === n && b.size === n) {
    for (let i = 0; i < n; i++) yd[i] = cd[i] ? ad[i]! : bd[i]!;
    return;
  }
  const rank = y.shape.length;
  const sc = broadcastStrides(c.shape, y.shape);
  const sa = broadcastStrides(a.shape, y.shape);
  const sb = broadcastStrides(b.shape, y.shape);
  const last = y.shape[rank - 1]!;
  const lc = sc[rank - 1]!;
  const la = sa[rank - 1]!;
  const lb = sb[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  let co = 0;
  let ao = 0;
  let bo = 0;
  for (let o = 0; o < n; o += last) {
    for (let i = 0; i < last; i++)
      yd[o + i] = cd[co + i * lc] ? ad[ao + i * la]! : bd[bo + i * lb]!;
    // Advance the multi-index over all axes but the last, carrying like an odometer.
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      co += sc[d]!;
      ao += sa[d]!;
      bo += sb[d]!;
      if (index[d]! < y.shape[d]!) break;
      co -= sc[d]! * index[d]!;
      ao -= sa[d]! * index[d]!;
      bo -= sb[d]! * index[d]!;
      index[d] = 0;
    }
  }
}
