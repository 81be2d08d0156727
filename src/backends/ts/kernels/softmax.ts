import type { Tensor } from '../../../tensor/tensor.js';
import type { Kernel, SoftmaxAttrs } from '../../kernels.js';

/**
 * Fused, numerically stable softmax (or log-softmax) along the middle axis of an [outer, axis, inner]
 * view: the maximum is subtracted before exponentiating and sums accumulate in float64.
 */
function softmaxAlongAxis(x: Tensor, y: Tensor, attrs: SoftmaxAttrs, log: boolean): void {
  const xd = x.data;
  const yd = y.data;
  const { outer, axis: R, inner } = attrs;
  const max = new Float64Array(inner);
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * R * inner;
    max.fill(-Infinity);
    sum.fill(0);
    for (let r = 0; r < R; r++) {
      const off = base + r * inner;
      for (let i = 0; i < inner; i++) {
        const v = xd[off + i]!;
        if (v > max[i]!) max[i] = v;
      }
    }
    // A row of -Infinity has no finite maximum to subtract; shifting by 0 keeps it from turning into NaN.
    for (let i = 0; i < inner; i++) if (!Number.isFinite(max[i]!)) max[i] = 0;
    for (let r = 0; r < R; r++) {
      const off = base + r * inner;
      for (let i = 0; i < inner; i++) {
        const e = Math.exp(xd[off + i]! - max[i]!);
        sum[i]! += e;
        if (!log) yd[off + i] = e;
      }
    }
    if (log) {
      for (let i = 0; i < inner; i++) max[i]! += Math.log(sum[i]!);
      for (let r = 0; r < R; r++) {
        const off = base + r * inner;
        for (let i = 0; i < inner; i++) yd[off + i] = xd[off + i]! - max[i]!;
      }
    } else {
      for (let i = 0; i < inner; i++) sum[i] = 1 / sum[i]!;
      for (let r = 0; r < R; r++) {
        const off = base + r * inner;
        for (let i = 0; i < inner; i++) yd[off + i]! *= sum[i]!;
      }
    }
  }
}

export const softmaxKernel: Kernel<'softmax'> = (inputs, outputs, attrs) =>
  softmaxAlongAxis(inputs[0]!, outputs[0]!, attrs, false);
export const logSoftmaxKernel: Kernel<'logSoftmax'> = (inputs, outputs, attrs) =>
  softmaxAlongAxis(inputs[0]!, outputs[0]!, attrs, true);
