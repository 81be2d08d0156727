import { uint8Params } from '../../nn/layers/quantized-dense.js';
import type { Tensor } from '../../tensor/tensor.js';

/** How static quantization picks an activation range from calibration data. */
export type CalibrationMethod = 'minmax' | 'percentile' | 'entropy';

/** Options of the calibration: the method and its parameters. */
export interface CalibrationOptions {
  /** How the range is chosen (default 'minmax'). */
  method?: CalibrationMethod;
  /** For 'percentile': the range is [P(100 - p), P(p)] (default 99.99). */
  percentile?: number;
  /** For 'entropy': histogram bins (default 2048) and the quantized bins compared (default 128). */
  bins?: number;
  quantizedBins?: number;
}

/** A uint8 per-tensor range: x ≈ scale · (q - zeroPoint), q in [0, 255], from [min, max]. */
export interface Uint8Calibration {
  min: number;
  max: number;
  scale: number;
  zeroPoint: number;
}

const OP = 'calibrateUint8';

/** All samples as one Float32Array; empty or non-finite samples are errors. */
function gather(samples: Tensor | readonly Tensor[] | Float32Array): Float32Array {
  const parts =
    samples instanceof Float32Array
      ? [samples]
      : Array.isArray(samples)
        ? samples.map((t: Tensor) => t.data)
        : [(samples as Tensor).data];
  const n = parts.reduce((s, p) => s + p.length, 0);
  if (n === 0)
    throw new RangeError(`${OP}: samples are empty; calibration needs at least one value`);
  const out = new Float32Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  for (const v of out)
    if (!Number.isFinite(v))
      throw new RangeError(`${OP}: samples hold ${v}; calibration needs finite values`);
  return out;
}

/** The q-quantile (0..1) of sorted values, linearly interpolated (numpy's default). */
function quantile(sorted: Float32Array, q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const j = Math.min(i + 1, sorted.length - 1);
  return sorted[i]! + (sorted[j]! - sorted[i]!) * (pos - i);
}

/** MXNet's smoothing: zeros get eps, taken evenly from the nonzero entries (so KL stays finite). */
function smooth(p: Float64Array, eps = 1e-4): Float64Array | null {
  let zeros = 0;
  for (const v of p) if (v === 0) zeros++;
  const nonzeros = p.length - zeros;
  if (nonzeros === 0) return null;
  const take = (eps * zeros) / nonzeros;
  return p.map((v) => (v === 0 ? eps : v - take));
}

/**
 * TensorRT's entropy calibration (and MXNet's `_get_optimal_threshold`): a `bins`-bin histogram
 * of |x| over [0, max |x|]; for each candidate i ≥ quantizedBins, P is the first i bins with the
 * rest folded into the last, Q is those i bins merged into `quantizedBins` and spread back over
 * P's nonzero bins; the threshold is the upper edge of the i with the least KL(P ‖ Q).
 */
export function entropyThreshold(values: Float32Array, bins = 2048, quantizedBins = 128): number {
  let amax = 0;
  for (const v of values) amax = Math.max(amax, Math.abs(v));
  if (amax === 0) return 0;
  const hist = new Float64Array(bins);
  const width = amax / bins;
  for (const v of values) hist[Math.min(bins - 1, Math.floor(Math.abs(v) / width))]! += 1;
  let best = bins;
  let bestKl = Infinity;
  let tail = 0;
  for (let i = bins - 1; i >= quantizedBins - 1; i--) tail += hist[i]!;
  for (let i = quantizedBins; i <= bins; i++) {
    // tail = Σ hist[i - 1 ..]: the last kept bin plus the outliers folded into it.
    const p = hist.slice(0, i);
    p[i - 1] = tail;
    tail -= hist[i - 1]!;
    const q = new Float64Array(i);
    const merged = Math.floor(i / quantizedBins);
    for (let j = 0; j < quantizedBins; j++) {
      const start = j * merged;
      const stop = j === quantizedBins - 1 ? i : start + merged;
      let sum = 0;
      let nonzero = 0;
      for (let k = start; k < stop; k++) {
        sum += hist[k]!;
        if (p[k] !== 0) nonzero++;
      }
      if (nonzero > 0) for (let k = start; k < stop; k++) if (p[k] !== 0) q[k] = sum / nonzero;
    }
    const ps = smooth(p);
    const qs = smooth(q);
    if (!ps || !qs) continue;
    let pSum = 0;
    let qSum = 0;
    for (let k = 0; k < i; k++) {
      pSum += ps[k]!;
      qSum += qs[k]!;
    }
    let kl = 0;
    for (let k = 0; k < i; k++) {
      const pk = ps[k]! / pSum;
      if (pk > 0) kl += pk * Math.log(pk / (qs[k]! / qSum));
    }
    if (kl < bestKl) {
      bestKl = kl;
      best = i;
    }
  }
  return best * width;
}

/**
 * A uint8 per-tensor range for activations from calibration samples (issue 12, static mode):
 * 'minmax' takes [min, max]; 'percentile' the p-th and (100 - p)-th percentiles; 'entropy' clips
 * [min, max] at ±`entropyThreshold`. The range is widened to include 0 (`uint8Params`).
 * `calibrateUint8(activations, { method: 'entropy' })` → { min, max, scale, zeroPoint }
 */
export function calibrateUint8(
  samples: Tensor | readonly Tensor[] | Float32Array,
  options: CalibrationOptions = {},
): Uint8Calibration {
  const method = options.method ?? 'minmax';
  const values = gather(samples);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (method === 'percentile') {
    const p = options.percentile ?? 99.99;
    if (!(p > 50 && p <= 100))
      throw new RangeError(`${OP}: percentile must be in (50, 100], got ${p}`);
    const sorted = values.slice().sort();
    lo = quantile(sorted, 1 - p / 100);
    hi = quantile(sorted, p / 100);
  } else if (method === 'entropy') {
    const bins = options.bins ?? 2048;
    const quantizedBins = options.quantizedBins ?? 128;
    if (
      !Number.isInteger(bins) ||
      !Number.isInteger(quantizedBins) ||
      quantizedBins < 2 ||
      bins < quantizedBins
    )
      throw new RangeError(
        `${OP}: bins (${bins}) and quantizedBins (${quantizedBins}) must be integers with 2 <= quantizedBins <= bins`,
      );
    const t = entropyThreshold(values, bins, quantizedBins);
    lo = Math.max(lo, -t);
    hi = Math.min(hi, t);
  } else if (method !== 'minmax') {
    throw new RangeError(
      `${OP}: method must be 'minmax', 'percentile' or 'entropy', got ${JSON.stringify(method)}`,
    );
  }
  return { min: lo, max: hi, ...uint8Params(lo, hi) };
}
