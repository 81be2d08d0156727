import type { Tensor } from '../../../tensor/tensor.js';
import type { ConcatAttrs } from '../../kernels.js';

/** Each input is viewed as [outer, inner_k]; output row o is the inputs' rows o laid end to end. */
export function concatKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: ConcatAttrs,
): void {
  const y = outputs[0]!;
  if (y.size === 0) return;
  let outer = 1;
  for (let d = 0; d < attrs.axis; d++) outer *= y.shape[d]!;
  const row = y.size / outer;
  const yd = y.data;
  let start = 0;
  for (const x of inputs) {
    const inner = x.size / outer;
    const xd = x.data;
    for (let o = 0; o < outer; o++) {
      const src = o * inner;
      const dst = o * row + start;
      if (inner >= 16) yd.set(xd.subarray(src, src + inner), dst);
      else for (let i = 0; i < inner; i++) yd[dst + i] = xd[src + i]!;
    }
    start += inner;
  }
}
