import { getRng, type Rng } from '../../random/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { sampleBeta } from './beta.js';

/** Options of `mixup` and `cutmix`. */
export interface MixOptions {
  /** λ ~ Beta(alpha, alpha) (default 0.2 for mixup, 1.0 for cutmix). */
  alpha?: number;
  /** The generator (default: the global one, so setSeed fixes it). */
  rng?: Rng;
}

function checkPair(op: string, x: Tensor, y: Tensor): number {
  const n = x.shape[0];
  if (x.rank < 1 || n === undefined || y.shape[0] !== n || y.rank !== 2) {
    throw new RangeError(
      `${op}: expected x [batch, ...] and one-hot or soft labels y [batch, classes] with the same batch, got x [${x.shape.join(', ')}] and y [${y.shape.join(', ')}]`,
    );
  }
  return n;
}

function checkAlpha(op: string, alpha: number): void {
  if (!(alpha > 0) || !Number.isFinite(alpha))
    throw new RangeError(`${op}: alpha must be a positive number, got ${alpha}`);
}

/** Row `i` of x mixed with row `j`: λ·x_i + (1 - λ)·x_j, for every row. */
function mixRows(t: Tensor, perm: Int32Array, lambdas: Float64Array): Tensor {
  const n = t.shape[0]!;
  const row = t.size / n;
  const out = new Float32Array(t.size);
  for (let i = 0; i < n; i++) {
    const l = lambdas[i]!;
    const j = perm[i]!;
    for (let k = 0; k < row; k++)
      out[i * row + k] = l * t.data[i * row + k]! + (1 - l) * t.data[j * row + k]!;
  }
  return new Tensor(out, t.shape, 'float32');
}

/**
 * mixup (Zhang et al. 2018): each sample is blended with a random partner of the same batch,
 * x̃ = λ·x_i + (1-λ)·x_j and ỹ = λ·y_i + (1-λ)·y_j, λ ~ Beta(α, α) per sample. y must be one-hot.
 * `const { x, y } = mixup(xBatch, yBatch, { alpha: 0.2 })`
 */
export function mixup(x: Tensor, y: Tensor, options: MixOptions = {}): { x: Tensor; y: Tensor } {
  const n = checkPair('mixup', x, y);
  const alpha = options.alpha ?? 0.2;
  checkAlpha('mixup', alpha);
  const rng = options.rng ?? getRng();
  const perm = rng.permutation(n);
  const lambdas = Float64Array.from({ length: n }, () => sampleBeta(rng, alpha, alpha));
  return { x: mixRows(x, perm, lambdas), y: mixRows(y, perm, lambdas) };
}

/** A random box of area fraction about `area` inside h × w: [top, left, height, width]. */
function randomBox(rng: Rng, h: number, w: number, area: number): [number, number, number, number] {
  const bh = Math.round(h * Math.sqrt(area));
  const bw = Math.round(w * Math.sqrt(area));
  const cy = rng.int(h);
  const cx = rng.int(w);
  const top = Math.max(0, cy - Math.floor(bh / 2));
  const left = Math.max(0, cx - Math.floor(bw / 2));
  return [
    top,
    left,
    Math.min(h, cy + Math.ceil(bh / 2)) - top,
    Math.min(w, cx + Math.ceil(bw / 2)) - left,
  ];
}

/**
 * CutMix (Yun et al. 2019): a random box of each image is replaced by the same box of a random
 * partner; labels mix in proportion to the pixels kept. x: images [batch, h, w, c]; y one-hot.
 */
export function cutmix(x: Tensor, y: Tensor, options: MixOptions = {}): { x: Tensor; y: Tensor } {
  const n = checkPair('cutmix', x, y);
  if (x.rank !== 4)
    throw new RangeError(
      `cutmix: expected images [batch, height, width, channels], got [${x.shape.join(', ')}]`,
    );
  const alpha = options.alpha ?? 1;
  checkAlpha('cutmix', alpha);
  const rng = options.rng ?? getRng();
  const [, h, w, c] = x.shape as [number, number, number, number];
  const perm = rng.permutation(n);
  const out = new Float32Array(x.data);
  const lambdas = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const [top, left, bh, bw] = randomBox(rng, h, w, 1 - sampleBeta(rng, alpha, alpha));
    const j = perm[i]!;
    for (let yy = top; yy < top + bh; yy++) {
      const from = ((j * h + yy) * w + left) * c;
      out.set(x.data.subarray(from, from + bw * c) as Float32Array, ((i * h + yy) * w + left) * c);
    }
    lambdas[i] = 1 - (bh * bw) / (h * w);
  }
  return { x: new Tensor(out, x.shape, 'float32'), y: mixRows(y, perm, lambdas) };
}

/** Options of `cutout`. */
export interface CutoutOptions {
  /** Side of the square hole in pixels (default: half the smaller side). */
  size?: number;
  /** Holes per image (default 1). */
  count?: number;
  /** Value written into the holes (default 0). */
  fillValue?: number;
  rng?: Rng;
}

/**
 * Cutout (DeVries & Taylor 2017): square holes at random centres (they may be clipped at the
 * border) set to fillValue in each image of x [batch, h, w, c]. Labels are unchanged.
 */
export function cutout(x: Tensor, options: CutoutOptions = {}): Tensor {
  if (x.rank !== 4)
    throw new RangeError(
      `cutout: expected images [batch, height, width, channels], got [${x.shape.join(', ')}]`,
    );
  const [n, h, w, c] = x.shape as [number, number, number, number];
  const size = options.size ?? Math.max(1, Math.floor(Math.min(h, w) / 2));
  const count = options.count ?? 1;
  if (!Number.isInteger(size) || size < 1)
    throw new RangeError(`cutout: size must be a positive integer, got ${size}`);
  const rng = options.rng ?? getRng();
  const out = new Float32Array(x.data);
  const fill = options.fillValue ?? 0;
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < count; k++) {
      const cy = rng.int(h);
      const cx = rng.int(w);
      const y0 = Math.max(0, cy - Math.floor(size / 2));
      const x0 = Math.max(0, cx - Math.floor(size / 2));
      const y1 = Math.min(h, y0 + size);
      const x1 = Math.min(w, x0 + size);
      for (let yy = y0; yy < y1; yy++)
        out.fill(fill, ((i * h + yy) * w + x0) * c, ((i * h + yy) * w + x1) * c);
    }
  }
  return new Tensor(out, x.shape, 'float32');
}
