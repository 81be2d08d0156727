import type { Tensor } from '../../../tensor/tensor.js';
import type { GatherAttrs } from '../../kernels.js';

export function gatherKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: GatherAttrs,
): void {
  const xd = inputs[0]!.data;
  const idx = inputs[1]!.data;
  const yd = outputs[0]!.data;
  const { outer, axisSize, inner } = attrs;
  const m = idx.length;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < m; j++) {
      const src = (o * axisSize + idx[j]!) * inner;
      const dst = (o * m + j) * inner;
      if (inner >= 16) yd.set(xd.subarray(src, src + inner), dst);
      else for (let i = 0; i < inner; i++) yd[dst + i] = xd[src + i]!;
    }
  }
}
