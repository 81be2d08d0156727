import type { Tensor } from '../../tensor/tensor.js';

/** Min and max of each feature over the finite values of x [n, features...]. */
export function featureRanges(x: Tensor): { min: Float64Array; max: Float64Array } {
  const n = x.shape[0] ?? 0;
  const f = n === 0 ? 0 : x.size / n;
  const min = new Float64Array(f).fill(Number.POSITIVE_INFINITY);
  const max = new Float64Array(f).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < f; k++) {
      const v = x.data[i * f + k]!;
      if (!Number.isFinite(v)) continue;
      if (v < min[k]!) min[k] = v;
      if (v > max[k]!) max[k] = v;
    }
  }
  return { min, max };
}

/** Features with a single value in every sample (they carry no information). */
export function constantFeatures(x: Tensor): number[] {
  const { min, max } = featureRanges(x);
  const out: number[] = [];
  for (let k = 0; k < min.length; k++)
    if (min[k] === max[k] || min[k] === Number.POSITIVE_INFINITY) out.push(k);
  return out;
}

/** A value outside the expected range: the sample, the feature and the value. */
export interface OutOfRange {
  sample: number;
  feature: number;
  value: number;
}

/**
 * Values outside [min, max]: a fixed range for every feature, or per-feature ranges (e.g. the
 * training set's `featureRanges`, to find test values the model never saw).
 */
export function outOfRange(
  x: Tensor,
  range: { min: number | ArrayLike<number>; max: number | ArrayLike<number> },
  limit = 1000,
): { count: number; examples: OutOfRange[] } {
  const n = x.shape[0] ?? 0;
  const f = n === 0 ? 0 : x.size / n;
  const lo = (k: number) => (typeof range.min === 'number' ? range.min : range.min[k]!);
  const hi = (k: number) => (typeof range.max === 'number' ? range.max : range.max[k]!);
  let count = 0;
  const examples: OutOfRange[] = [];
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < f; k++) {
      const v = x.data[i * f + k]!;
      if (Number.isFinite(v) && (v < lo(k) || v > hi(k))) {
        count++;
        if (examples.length < limit) examples.push({ sample: i, feature: k, value: v });
      }
    }
  }
  return { count, examples };
}

/** Samples per class and the ratio of the largest class to the smallest present one. */
export function classBalance(
  labels: ArrayLike<number>,
  classes?: number,
): { counts: number[]; ratio: number } {
  let k = classes ?? 0;
  for (let i = 0; i < labels.length; i++) k = Math.max(k, labels[i]! + 1);
  const counts = new Array<number>(k).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const present = counts.filter((c) => c > 0);
  return { counts, ratio: present.length ? Math.max(...present) / Math.min(...present) : 0 };
}
