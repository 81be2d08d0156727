import { Tensor } from '../../../tensor/tensor.js';

export type FillMode = 'reflect' | 'wrap' | 'constant' | 'nearest';
export type Interpolation = 'bilinear' | 'nearest';
export const FILL_MODES: readonly FillMode[] = ['reflect', 'wrap', 'constant', 'nearest'];
export const INTERPOLATIONS: readonly Interpolation[] = ['bilinear', 'nearest'];

/**
 * An affine map from output pixel (x, y) to input position:
 * xIn = a0·x + a1·y + a2, yIn = b0·x + b1·y + b2 (tf.raw_ops.ImageProjectiveTransformV3 without
 * the projective terms).
 */
export type Affine = readonly [number, number, number, number, number, number];

/** Maps a coordinate outside [0, n) back inside, as Keras's fill modes do (-1 for constant). */
function fillCoord(c: number, n: number, mode: FillMode): number {
  if (c >= 0 && c <= n - 1) return c;
  if (mode === 'constant') return -1;
  if (mode === 'nearest') return Math.min(n - 1, Math.max(0, c));
  if (mode === 'wrap') return ((c % n) + n) % n;
  // reflect: (d c b a | a b c d | d c b a), the edge pixel repeated.
  const period = 2 * n;
  let m = ((c % period) + period) % period;
  if (m >= n) m = period - 1 - m;
  return Math.min(n - 1, Math.max(0, m));
}

/**
 * Resamples every image of x [batch, h, w, c] through its own affine map (one per image), with
 * the given fill mode and interpolation. Pixel centres sit at integer coordinates.
 */
export function affineTransform(
  x: Tensor,
  maps: readonly Affine[],
  fillMode: FillMode,
  interpolation: Interpolation,
  fillValue: number,
): Tensor {
  const [n, h, w, ch] = x.shape as [number, number, number, number];
  const src = x.data;
  const out = new Float32Array(x.size);
  const pixel = (base: number, yy: number, xx: number, k: number): number => {
    const fy = fillCoord(yy, h, fillMode);
    const fx = fillCoord(xx, w, fillMode);
    if (fy < 0 || fx < 0) return fillValue;
    return src[base + (Math.round(fy) * w + Math.round(fx)) * ch + k]!;
  };
  for (let b = 0; b < n; b++) {
    const [a0, a1, a2, b0, b1, b2] = maps[b]!;
    const base = b * h * w * ch;
    for (let y = 0; y < h; y++) {
      for (let xo = 0; xo < w; xo++) {
        const xi = a0 * xo + a1 * y + a2;
        const yi = b0 * xo + b1 * y + b2;
        const o = base + (y * w + xo) * ch;
        if (interpolation === 'nearest') {
          for (let k = 0; k < ch; k++) out[o + k] = pixel(base, Math.round(yi), Math.round(xi), k);
          continue;
        }
        const x0 = Math.floor(xi);
        const y0 = Math.floor(yi);
        const dx = xi - x0;
        const dy = yi - y0;
        for (let k = 0; k < ch; k++) {
          out[o + k] =
            (1 - dy) * ((1 - dx) * pixel(base, y0, x0, k) + dx * pixel(base, y0, x0 + 1, k)) +
            dy * ((1 - dx) * pixel(base, y0 + 1, x0, k) + dx * pixel(base, y0 + 1, x0 + 1, k));
        }
      }
    }
  }
  return new Tensor(out, x.shape, 'float32');
}

/** Runs an image-batch function on a single image [h, w, c] too. */
export function perBatch(x: Tensor, fn: (batch: Tensor) => Tensor): Tensor {
  if (x.rank === 4) return fn(x);
  const out = fn(new Tensor(x.data, [1, ...x.shape], x.dtype));
  return new Tensor(out.data, out.shape.slice(1), out.dtype);
}
