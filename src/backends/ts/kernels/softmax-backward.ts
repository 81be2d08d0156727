import type { Tensor } from '../../../tensor/tensor.js';
import type { Kernel, SoftmaxAttrs } from '../../kernels.js';

/**
 * dx of softmax (y (dy - Σ dy y)) or of log-softmax (dy - e^y Σ dy) along the middle axis of the
 * [outer, axis, inner] view, from dy and the forward output y; sums accumulate in float64.
 */
function softmaxBackwardAlongAxis(
  dy: Tensor,
  y: Tensor,
  dx: Tensor,
  attrs: SoftmaxAttrs,
  log: boolean,
): void {
  const g = dy.data;
  const yd = y.data;
  const d = dx.data;
  const { outer, axis: R, inner } = attrs;
  const sum = new Float64Array(inner);
  for (let o = 0; o < outer; o++) {
    const base = o * R * inner;
    sum.fill(0);
    for (let r = 0; r < R; r++) {
      const off = base + r * inner;
      for (let i = 0; i < inner; i++) sum[i]! += log ? g[off + i]! : g[off + i]! * yd[off + i]!;
    }
    for (let r = 0; r < R; r++) {
      const off = base + r * inner;
      for (let i = 0; i < inner; i++) {
        const k = off + i;
        d[k] = log ? g[k]! - Math.exp(yd[k]!) * sum[i]! : yd[k]! * (g[k]! - sum[i]!);
      }
    }
  }
}

export const softmaxBackwardKernel: Kernel<'softmaxBackward'> = (inputs, outputs, attrs) =>
  softmaxBackwardAlongAxis(inputs[0]!, inputs[1]!, outputs[0]!, attrs, false);
export const logSoftmaxBackwardKernel: Kernel<'logSoftmaxBackward'> = (inputs, outputs, attrs) =>
  softmaxBackwardAlongAxis(inputs[0]!, inputs[1]!, outputs[0]!, attrs, true);
