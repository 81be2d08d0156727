import type { Tensor } from '../../../tensor/tensor.js';
import type { Pool2DAttrs } from '../../kernels.js';
import { PoolWindows } from './window.js';

/**
 * y [batch, outH, outW, C] = the mean of each window of x [batch, inH, inW, C] over its cells
 * inside the input: padding is not counted, as in TF's 'same' average pooling.
 */
export function avgPool2dKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Pool2DAttrs,
): void {
  const x = inputs[0]!.data as Float32Array;
  const y = outputs[0]!.data as Float32Array;
  const { inH, inW, channels: C } = a;
  for (const w = new PoolWindows(a); w.next(); ) {
    const { o, b, hStart, hEnd, wStart, wEnd } = w;
    for (let ih = hStart; ih < hEnd; ih++) {
      for (let iw = wStart; iw < wEnd; iw++) {
        const s = ((b * inH + ih) * inW + iw) * C;
        for (let c = 0; c < C; c++) y[o + c]! += x[s + c]!;
      }
    }
    const scale = 1 / ((hEnd - hStart) * (wEnd - wStart));
    for (let c = 0; c < C; c++) y[o + c]! *= scale;
  }
}

/** dx [batch, inH, inW, C]: each window's dy spread evenly over its cells inside the input. */
export function avgPool2dBackwardKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Pool2DAttrs,
): void {
  const dy = inputs[0]!.data as Float32Array;
  const dx = outputs[0]!.data as Float32Array;
  const { inH, inW, channels: C } = a;
  for (const w = new PoolWindows(a); w.next(); ) {
    const { o, b, hStart, hEnd, wStart, wEnd } = w;
    const scale = 1 / ((hEnd - hStart) * (wEnd - wStart));
    for (let ih = hStart; ih < hEnd; ih++) {
      for (let iw = wStart; iw < wEnd; iw++) {
        const s = ((b * inH + ih) * inW + iw) * C;
        for (let c = 0; c < C; c++) dx[s + c]! += dy[o + c]! * scale;
      }
    }
  }
}
