import { concat, matMul, reshape, slice, transpose } from '../../../ops/index.js';
import { fill, tensor } from '../../../tensor/create.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { Layer } from '../../engine/layer.js';
import { layerLabel } from '../internal/args.js';

/** How `Resizing` (and `CenterCrop`'s fallback) interpolate. */
export type ResizeInterpolation = 'bilinear' | 'nearest' | 'area' | 'bicubic';
export const RESIZE_INTERPOLATIONS: readonly ResizeInterpolation[] = [
  'bilinear',
  'nearest',
  'area',
  'bicubic',
];

/** Keys' cubic convolution kernel with a = -0.5 (TensorFlow's bicubic). */
function cubic(t: number): number {
  const a = -0.5;
  const x = Math.abs(t);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/**
 * The [outSize, inSize] matrix W of one axis with out = W · in, as tf.image.resize computes it
 * (antialias off, half-pixel centres): bilinear and bicubic sample at (o + 0.5)·s - 0.5 with
 * s = in / out (edge pixels repeated for bilinear; out-of-range taps dropped and the rest
 * renormalized for bicubic), nearest takes floor((o + 0.5)·s), area averages the box
 * [o·s, (o + 1)·s) with fractional edge weights.
 */
export function resizeMatrix(
  inSize: number,
  outSize: number,
  mode: ResizeInterpolation,
): Float32Array {
  const w = new Float32Array(outSize * inSize);
  const s = inSize / outSize;
  const last = inSize - 1;
  for (let o = 0; o < outSize; o++) {
    const row = o * inSize;
    if (mode === 'nearest') {
      w[row + Math.min(last, Math.floor((o + 0.5) * s))] = 1;
    } else if (mode === 'bilinear') {
      const c = (o + 0.5) * s - 0.5;
      const f = Math.floor(c);
      const t = c - f;
      w[row + Math.min(last, Math.max(0, f))]! += 1 - t;
      w[row + Math.min(last, Math.max(0, f + 1))]! += t;
    } else if (mode === 'bicubic') {
      const c = (o + 0.5) * s - 0.5;
      const f = Math.floor(c);
      const taps: [number, number][] = [];
      for (let k = -1; k <= 2; k++)
        if (f + k >= 0 && f + k <= last) taps.push([f + k, cubic(c - (f + k))]);
      const total = taps.reduce((n, [, v]) => n + v, 0);
      for (const [i, v] of taps) w[row + i]! += v / total;
    } else {
      const lo = o * s;
      const hi = (o + 1) * s;
      for (let i = Math.floor(lo); i < Math.ceil(hi); i++) {
        const part = Math.min(i + 1, hi) - Math.max(i, lo);
        w[row + Math.min(last, i)]! += part / s;
      }
    }
  }
  return w;
}

/**
 * Resizes images [batch, h, w, c] to [batch, height, width, c] as out = Wh · x · Wwᵀ per image
 * and channel: two matrix products, so the gradient flows to x for every interpolation.
 */
export function resizeImages(
  x: Tensor,
  height: number,
  width: number,
  mode: ResizeInterpolation,
): Tensor {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const wh = tensor(resizeMatrix(h, height, mode), [height, h]);
  const ww = tensor(resizeMatrix(w, width, mode), [width, w]);
  const planes = reshape(transpose(x, [0, 3, 1, 2]), [n * c, h, w]);
  const y = matMul(matMul(wh, planes), ww, false, true);
  return transpose(reshape(y, [n, c, height, width]), [0, 2, 3, 1]);
}

/** The centred [top, left, height, width] window of an h × w image with the target's aspect ratio. */
export function aspectCropBox(
  h: number,
  w: number,
  height: number,
  width: number,
): [number, number, number, number] {
  const ch = Math.max(Math.min(h, Math.trunc((w * height) / width)), 1);
  const cw = Math.max(Math.min(w, Math.trunc((h * width) / height)), 1);
  return [Math.trunc((h - ch) / 2), Math.trunc((w - cw) / 2), ch, cw];
}

/** Crops images [batch, h, w, c] to the window at (top, left) of the given size. */
export function cropImages(x: Tensor, top: number, left: number, h: number, w: number): Tensor {
  return slice(x, [0, top, left, 0], [-1, h, w, -1]);
}

/**
 * Pads images [batch, h, w, c] with `value` symmetrically to the target's aspect ratio, as Keras:
 * the same number of rows (or columns) above and below.
 */
export function padToAspect(x: Tensor, height: number, width: number, value: number): Tensor {
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const ph = Math.max(h, Math.trunc((w * height) / width));
  const pw = Math.max(w, Math.trunc((h * width) / height));
  const top = Math.trunc((ph - h) / 2);
  const left = Math.trunc((pw - w) / 2);
  let y = x;
  if (top > 0) {
    const band = fill([n, top, w, c], value);
    y = concat([band, y, band], 1);
  }
  if (left > 0) {
    const band = fill([n, y.shape[1]!, left, c], value);
    y = concat([band, y, band], 2);
  }
  return y;
}

/** Checks an image batch [batch, h, w, c] (or one image [h, w, c]) and names the layer. */
export function checkImageRank(layer: Layer, shape: readonly (number | null)[]): void {
  if (shape.length !== 4 && shape.length !== 3)
    throw new RangeError(
      `${layerLabel(layer)}: expected images [batch, height, width, channels], got [${shape.map((d) => d ?? 'None').join(', ')}]`,
    );
}
