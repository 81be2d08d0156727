import { Tensor } from '../../tensor/tensor.js';

/** Per-feature counts of NaN and ±Infinity in x [n, features...] (features flattened). */
export interface MissingReport {
  /** Samples with at least one missing or non-finite value. */
  rows: number[];
  /** NaN count per feature. */
  nan: Int32Array;
  /** ±Infinity count per feature. */
  infinite: Int32Array;
}

function features(op: string, x: Tensor): [number, number] {
  if (x.rank < 1) throw new RangeError(`${op}: expected x [samples, ...], got a scalar`);
  const n = x.shape[0]!;
  return [n, n === 0 ? 0 : x.size / n];
}

/** Finds NaN and ±Infinity values: which samples, and how many per feature. */
export function findMissing(x: Tensor): MissingReport {
  const [n, f] = features('findMissing', x);
  const nan = new Int32Array(f);
  const infinite = new Int32Array(f);
  const rows: number[] = [];
  for (let i = 0; i < n; i++) {
    let bad = false;
    for (let k = 0; k < f; k++) {
      const v = x.data[i * f + k]!;
      if (Number.isNaN(v)) nan[k]!++;
      else if (!Number.isFinite(v)) infinite[k]!++;
      else continue;
      bad = true;
    }
    if (bad) rows.push(i);
  }
  return { rows, nan, infinite };
}

/** Options of `impute`. */
export interface ImputeOptions {
  /** 'mean' (default), 'median', 'constant' (fillValue) or 'drop' (remove the samples). */
  strategy?: 'mean' | 'median' | 'constant' | 'drop';
  fillValue?: number;
  /** Statistics from another set (the training set) instead of x itself: no test-set leakage. */
  statisticsFrom?: Tensor;
}

/** Per-feature mean or median of the finite values (NaN where a feature has none). */
function statistics(x: Tensor, strategy: 'mean' | 'median'): Float64Array {
  const [n, f] = features('impute', x);
  const out = new Float64Array(f);
  for (let k = 0; k < f; k++) {
    const vals: number[] = [];
    for (let i = 0; i < n; i++) {
      const v = x.data[i * f + k]!;
      if (Number.isFinite(v)) vals.push(v);
    }
    if (vals.length === 0) out[k] = Number.NaN;
    else if (strategy === 'mean') out[k] = vals.reduce((s, v) => s + v, 0) / vals.length;
    else {
      vals.sort((p, q) => p - q);
      const m = vals.length >> 1;
      out[k] = vals.length % 2 ? vals[m]! : (vals[m - 1]! + vals[m]!) / 2;
    }
  }
  return out;
}

/**
 * Replaces NaN and ±Infinity per feature by the mean, the median, a constant, or drops the
 * samples that hold them. Returns the cleaned x and the kept sample indices (to filter y too).
 * `const { x, kept } = impute(xTrain, { strategy: 'median' })`
 */
export function impute(x: Tensor, options: ImputeOptions = {}): { x: Tensor; kept: Int32Array } {
  const strategy = options.strategy ?? 'mean';
  const [n, f] = features('impute', x);
  const missing = findMissing(x);
  if (strategy === 'drop') {
    const bad = new Set(missing.rows);
    const kept = Int32Array.from({ length: n }, (_, i) => i).filter((i) => !bad.has(i));
    const out = new Float32Array(kept.length * f);
    kept.forEach((i, r) => {
      out.set(x.data.subarray(i * f, (i + 1) * f) as Float32Array, r * f);
    });
    return { x: new Tensor(out, [kept.length, ...x.shape.slice(1)], 'float32'), kept };
  }
  let fill: Float64Array;
  if (strategy === 'constant') {
    if (typeof options.fillValue !== 'number')
      throw new RangeError("impute: strategy 'constant' needs a numeric fillValue");
    fill = new Float64Array(f).fill(options.fillValue);
  } else if (strategy === 'mean' || strategy === 'median') {
    fill = statistics(options.statisticsFrom ?? x, strategy);
    const empty = fill.findIndex((v) => Number.isNaN(v));
    if (empty >= 0)
      throw new RangeError(
        `impute: feature ${empty} has no finite value to take a ${strategy} of; use 'constant' or drop the feature`,
      );
  } else {
    throw new RangeError(
      `impute: strategy must be 'mean', 'median', 'constant' or 'drop', got ${JSON.stringify(strategy)}`,
    );
  }
  const out = Float32Array.from(x.data as ArrayLike<number>);
  for (let i = 0; i < out.length; i++) if (!Number.isFinite(out[i]!)) out[i] = fill[i % f]!;
  return {
    x: new Tensor(out, x.shape, 'float32'),
    kept: Int32Array.from({ length: n }, (_, i) => i),
  };
}
