import type { Tensor } from '../../../tensor/tensor.js';
import type { ReduceAttrs } from '../../kernels.js';

/** Reduces the middle axis of an [outer, reduced, inner] view; sums accumulate in float64. */
export function reduceKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: ReduceAttrs,
): void {
  const x = inputs[0]!.data;
  const y = outputs[0]!.data;
  const { op, outer, reduced: R, inner } = attrs;
  const acc = new Float64Array(inner);
  const arg = new Int32Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * R * inner;
    if (op === 'sum' || op === 'prod') {
      acc.fill(op === 'sum' ? 0 : 1);
      for (let r = 0; r < R; r++) {
        const off = base + r * inner;
        if (op === 'sum') for (let i = 0; i < inner; i++) acc[i]! += x[off + i]!;
        else for (let i = 0; i < inner; i++) acc[i]! *= x[off + i]!;
      }
    } else {
      const isMax = op === 'max' || op === 'argmax';
      acc.fill(isMax ? -Infinity : Infinity);
      arg.fill(0);
      for (let r = 0; r < R; r++) {
        const off = base + r * inner;
        for (let i = 0; i < inner; i++) {
          const v = x[off + i]!;
          const best = acc[i]!;
          // NaN wins, as in NumPy: the first NaN is kept.
          if (Number.isNaN(best)) continue;
          if (Number.isNaN(v) || (isMax ? v > best : v < best)) {
            acc[i] = v;
            arg[i] = r;
          }
        }
      }
    }
    const out = o * inner;
    if (op === 'argmax' || op === 'argmin') for (let i = 0; i < inner; i++) y[out + i] = arg[i]!;
    else for (let i = 0; i < inner; i++) y[out + i] = acc[i]!;
  }
}
