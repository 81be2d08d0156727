import type { Tensor } from '../../tensor/tensor.js';

/** Quantization parameters: one scale and zero point per tensor, or one per channel. */
export interface QParams {
  scale: number[];
  zeroPoint: number[];
}

/**
 * Options of the range observers: the integer grid, symmetric or affine, per tensor or per channel.
 */
export interface ObserverArgs {
  /** The integer grid (default [0, 255], uint8). */
  quantMin?: number;
  quantMax?: number;
  /** Symmetric around zero (weights; zero point 0 for a signed grid) or affine (default). */
  symmetric?: boolean;
  /** Per channel along this axis of the observed tensors (default: per tensor). */
  axis?: number;
}

/** float32 machine epsilon: the least scale, as torch.finfo(torch.float32).eps. */
export const SCALE_EPS = 2 ** -23;
const f32 = Math.fround;

/** v rounded to the nearest integer, halves to even (torch.round, Keel's round). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * PyTorch's _calculate_qparams for one range [min, max], in float32: the range is widened to
 * hold 0; symmetric: scale = max(|min|, |max|) / ((quantMax - quantMin) / 2), zero point 0 on a
 * signed grid (128 on [0, 255], the midpoint on another unsigned one); affine: scale =
 * (max - min) / (quantMax - quantMin), zero point quantMin - round(min / scale) clamped to the
 * grid. The scale is at least SCALE_EPS.
 */
export function rangeToQParams(
  min: number,
  max: number,
  quantMin: number,
  quantMax: number,
  symmetric: boolean,
): { scale: number; zeroPoint: number } {
  const lo = f32(Math.min(min, 0));
  const hi = f32(Math.max(max, 0));
  if (symmetric) {
    const scale = Math.max(f32(Math.max(-lo, hi) / f32((quantMax - quantMin) / 2)), SCALE_EPS);
    const mid = quantMin === 0 && quantMax === 255 ? 128 : Math.floor((quantMin + quantMax) / 2);
    return { scale: f32(scale), zeroPoint: quantMin < 0 ? 0 : mid };
  }
  const scale = f32(Math.max(f32(f32(hi - lo) / (quantMax - quantMin)), SCALE_EPS));
  const zeroPoint = quantMin - roundHalfEven(f32(lo / scale));
  return { scale, zeroPoint: Math.min(quantMax, Math.max(quantMin, zeroPoint)) };
}

/**
 * Records the running minimum and maximum of the tensors it sees (PyTorch's MinMaxObserver, and
 * PerChannelMinMaxObserver with `axis`) and turns them into quantization parameters.
 * `const o = new MinMaxObserver({ quantMin: -127, quantMax: 127, symmetric: true, axis: -1 })`
 */
export class MinMaxObserver {
  readonly quantMin: number;
  readonly quantMax: number;
  readonly symmetric: boolean;
  readonly axis: number | undefined;
  /** The running range (per channel), null before the first non-empty tensor. */
  minVal: Float32Array | null = null;
  maxVal: Float32Array | null = null;

  constructor(args: ObserverArgs = {}) {
    const name = (this.constructor as { name: string }).name;
    this.quantMin = args.quantMin ?? 0;
    this.quantMax = args.quantMax ?? 255;
    this.symmetric = args.symmetric ?? false;
    this.axis = args.axis;
    if (
      !Number.isInteger(this.quantMin) ||
      !Number.isInteger(this.quantMax) ||
      !(this.quantMin <= 0 && 0 < this.quantMax)
    )
      throw new RangeError(
        `${name}: quantMin and quantMax must be integers with quantMin <= 0 < quantMax, got ${this.quantMin} and ${this.quantMax}`,
      );
    if (this.axis !== undefined && !Number.isInteger(this.axis))
      throw new RangeError(`${name}: axis must be an integer, got ${this.axis}`);
  }

  /** The minimum and maximum of x, per channel along `axis` or over all of it. */
  protected extremes(x: Tensor): [Float32Array, Float32Array] {
    const name = (this.constructor as { name: string }).name;
    if (this.axis !== undefined && (this.axis >= x.rank || this.axis < -x.rank))
      throw new RangeError(
        `${name}: axis ${this.axis} is out of range for a tensor [${x.shape.join(', ')}]`,
      );
    const a = this.axis === undefined ? -1 : (this.axis + x.rank) % x.rank;
    const channels = a < 0 ? 1 : x.shape[a]!;
    const inner = a < 0 ? 1 : x.shape.slice(a + 1).reduce((p, d) => p * d, 1);
    const lo = new Float32Array(channels).fill(Infinity);
    const hi = new Float32Array(channels).fill(-Infinity);
    const d = x.data;
    for (let i = 0; i < d.length; i++) {
      const c = a < 0 ? 0 : Math.floor(i / inner) % channels;
      const v = d[i]!;
      if (v < lo[c]!) lo[c] = v;
      if (v > hi[c]!) hi[c] = v;
    }
    return [lo, hi];
  }

  /** Folds x into the running range. */
  observe(x: Tensor): void {
    if (x.size === 0) return;
    const [lo, hi] = this.extremes(x);
    if (!this.minVal || !this.maxVal || this.minVal.length !== lo.length) {
      this.minVal = lo;
      this.maxVal = hi;
      return;
    }
    for (let c = 0; c < lo.length; c++) {
      this.minVal[c] = Math.min(this.minVal[c]!, lo[c]!);
      this.maxVal[c] = Math.max(this.maxVal[c]!, hi[c]!);
    }
  }

  /** True once a tensor has been observed. */
  get ready(): boolean {
    return this.minVal !== null;
  }

  /** The scale and zero point for the range seen so far (PyTorch's calculate_qparams). */
  qparams(): QParams {
    const name = (this.constructor as { name: string }).name;
    if (!this.minVal || !this.maxVal)
      throw new Error(`${name}: no tensor observed yet; call observe(x) first`);
    const out: QParams = { scale: [], zeroPoint: [] };
    for (let c = 0; c < this.minVal.length; c++) {
      const p = rangeToQParams(
        this.minVal[c]!,
        this.maxVal[c]!,
        this.quantMin,
        this.quantMax,
        this.symmetric,
      );
      out.scale.push(p.scale);
      out.zeroPoint.push(p.zeroPoint);
    }
    return out;
  }
}

/**
 * A MinMaxObserver whose range follows an exponential moving average, min += c · (min(x) - min),
 * after the first tensor sets it (PyTorch's MovingAverageMinMaxObserver and its per-channel twin).
 * `new MovingAverageMinMaxObserver({ averagingConstant: 0.01 })`
 */
export class MovingAverageMinMaxObserver extends MinMaxObserver {
  readonly averagingConstant: number;

  constructor(args: ObserverArgs & { averagingConstant?: number } = {}) {
    super(args);
    this.averagingConstant = args.averagingConstant ?? 0.01;
    if (!(this.averagingConstant > 0 && this.averagingConstant <= 1))
      throw new RangeError(
        `MovingAverageMinMaxObserver: averagingConstant must be in (0, 1], got ${this.averagingConstant}`,
      );
  }

  override observe(x: Tensor): void {
    if (x.size === 0) return;
    if (!this.minVal || !this.maxVal) {
      super.observe(x);
      return;
    }
    const [lo, hi] = this.extremes(x);
    const c = f32(this.averagingConstant);
    for (let i = 0; i < lo.length; i++) {
      this.minVal[i] = f32(this.minVal[i]! + f32(c * f32(lo[i]! - this.minVal[i]!)));
      this.maxVal[i] = f32(this.maxVal[i]! + f32(c * f32(hi[i]! - this.maxVal[i]!)));
    }
  }
}
