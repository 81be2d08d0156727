import type { Tensor } from '../../../tensor/tensor.js';
import type { Conv2DAttrs } from '../../kernels.js';

/**
 * Visits every (output pixel, tap) pair of a depthwise convolution whose input pixel is inside
 * the image, with the offsets of the input pixel (x), the output pixel (y) and the tap (filter),
 * each the start of a run of channels. One walk serves the forward pass and both gradients.
 */
function forEachTap(
  a: Conv2DAttrs,
  visit: (xOff: number, yOff: number, fOff: number) => void,
): void {
  const m = a.outC / a.inC;
  for (let b = 0; b < a.batch; b++)
    for (let oh = 0; oh < a.outH; oh++)
      for (let ow = 0; ow < a.outW; ow++) {
        const yOff = ((b * a.outH + oh) * a.outW + ow) * a.outC;
        for (let i = 0; i < a.filterH; i++) {
          const ih = oh * a.strideH + i * a.dilationH - a.padTop;
          if (ih < 0 || ih >= a.inH) continue;
          for (let j = 0; j < a.filterW; j++) {
            const iw = ow * a.strideW + j * a.dilationW - a.padLeft;
            if (iw < 0 || iw >= a.inW) continue;
            visit(((b * a.inH + ih) * a.inW + iw) * a.inC, yOff, (i * a.filterW + j) * a.inC * m);
          }
        }
      }
}

/**
 * y[b, oh, ow, c·m + k] = Σ_{i, j} x[b, oh·sh + i·dh - padTop, ow·sw + j·dw - padLeft, c] ·
 * filter[i, j, c, k]: each input channel convolved with its own m filters. y arrives zero-filled.
 */
export function depthwiseConv2dKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Conv2DAttrs,
): void {
  const x = inputs[0]!.data as Float32Array;
  const f = inputs[1]!.data as Float32Array;
  const y = outputs[0]!.data as Float32Array;
  const m = a.outC / a.inC;
  y.fill(0);
  forEachTap(a, (xo, yo, fo) => {
    for (let c = 0; c < a.inC; c++) {
      const v = x[xo + c]!;
      for (let k = 0; k < m; k++) y[yo + c * m + k]! += v * f[fo + c * m + k]!;
    }
  });
}

/** dx[b, ih, iw, c] = Σ over the outputs its pixel reached of dy[..., c·m + k] · filter[i, j, c, k]. */
export function depthwiseConv2dBackpropInputKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Conv2DAttrs,
): void {
  const dy = inputs[0]!.data as Float32Array;
  const f = inputs[1]!.data as Float32Array;
  const dx = outputs[0]!.data as Float32Array;
  const m = a.outC / a.inC;
  dx.fill(0);
  forEachTap(a, (xo, yo, fo) => {
    for (let c = 0; c < a.inC; c++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += dy[yo + c * m + k]! * f[fo + c * m + k]!;
      dx[xo + c]! += s;
    }
  });
}

/** dFilter[i, j, c, k] = Σ_{b, oh, ow} x[b, ih, iw, c] · dy[b, oh, ow, c·m + k]. */
export function depthwiseConv2dBackpropFilterKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  a: Conv2DAttrs,
): void {
  const x = inputs[0]!.data as Float32Array;
  const dy = inputs[1]!.data as Float32Array;
  const df = outputs[0]!.data as Float32Array;
  const m = a.outC / a.inC;
  df.fill(0);
  forEachTap(a, (xo, yo, fo) => {
    for (let c = 0; c < a.inC; c++) {
      const v = x[xo + c]!;
      for (let k = 0; k < m; k++) df[fo + c * m + k]! += v * dy[yo + c * m + k]!;
    }
  });
}
