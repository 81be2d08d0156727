import type { HistogramRecord } from './store.js';

/** A histogram of `values` over `bins` equal bins between their min and max (NaNs skipped). */
export function histogram(
  weight: string,
  epoch: number,
  values: ArrayLike<number>,
  bins = 30,
): HistogramRecord {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const counts = new Array<number>(bins).fill(0);
  if (!(min <= max)) return { epoch, weight, min: 0, max: 0, counts };
  const width = (max - min) / bins || 1;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) continue;
    counts[Math.min(bins - 1, Math.floor((v - min) / width))]!++;
  }
  return { epoch, weight, min, max, counts };
}
