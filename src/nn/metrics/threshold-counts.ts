/**
 * Weighted true/false positive/negative counts at a list of thresholds (a prediction is positive
 * at threshold i when yPred > thresholds[i]), per label column when there are several: the state
 * of AUC and of the metrics read at a point of a curve (PrecisionAtRecall, ...).
 * Evenly spaced thresholds use Keras's bucket algorithm: each prediction, clipped to [0, 1], falls
 * into bucket ceil(p · (T - 1)) - 1 and a suffix sum over buckets gives the counts, O(N + T)
 * instead of O(N · T).
 */
export class ThresholdCounts {
  /** Counts laid out [threshold][label]. */
  tp: Float64Array;
  fp: Float64Array;
  tn: Float64Array;
  fn: Float64Array;
  private readonly fThresholds: Float32Array;

  constructor(
    readonly thresholds: readonly number[],
    readonly labels: number,
    /** The thresholds are i / (T - 1), up to Keras's epsilon at the ends. */
    readonly evenly: boolean,
    /** The end thresholds are -ε and 1 + ε (AUC), so a prediction of 0 is positive at the first. */
    readonly withEpsilon: boolean,
  ) {
    const n = thresholds.length * labels;
    this.tp = new Float64Array(n);
    this.fp = new Float64Array(n);
    this.tn = new Float64Array(n);
    this.fn = new Float64Array(n);
    this.fThresholds = Float32Array.from(thresholds);
  }

  /**
   * Adds entries: `t[j]` (nonzero is a positive label), `p[j]` (a probability), weight `w(j)`, in
   * label column `label(j)`.
   */
  add(
    t: ArrayLike<number>,
    p: ArrayLike<number>,
    count: number,
    w: (j: number) => number,
    label: (j: number) => number,
  ): void {
    const T = this.thresholds.length;
    const L = this.labels;
    if (!this.evenly) {
      for (let j = 0; j < count; j++) {
        const wj = w(j);
        const positive = t[j] !== 0;
        const pj = Math.fround(p[j]!);
        const l = label(j);
        for (let i = 0; i < T; i++) {
          const k = i * L + l;
          if (pj > this.fThresholds[i]!) {
            if (positive) this.tp[k]! += wj;
            else this.fp[k]! += wj;
          } else if (positive) this.fn[k]! += wj;
          else this.tn[k]! += wj;
        }
      }
      return;
    }
    const bucketPos = new Float64Array(T * L);
    const bucketNeg = new Float64Array(T * L);
    const totalPos = new Float64Array(L);
    const totalNeg = new Float64Array(L);
    const scale = Math.fround(T - 1);
    for (let j = 0; j < count; j++) {
      const wj = w(j);
      const l = label(j);
      const positive = t[j] !== 0;
      if (positive) totalPos[l]! += wj;
      else totalNeg[l]! += wj;
      const pj = Math.min(Math.max(Math.fround(p[j]!), 0), 1);
      // NaN predictions are negative at every threshold (as `NaN > t` is false).
      let b = Number.isNaN(pj) ? -1 : Math.ceil(Math.fround(pj * scale)) - 1;
      if (this.withEpsilon) b = Math.max(b, 0);
      if (b < 0) continue;
      if (positive) bucketPos[b * L + l]! += wj;
      else bucketNeg[b * L + l]! += wj;
    }
    for (let l = 0; l < L; l++) {
      let pos = 0;
      let neg = 0;
      for (let i = T - 1; i >= 0; i--) {
        const k = i * L + l;
        pos += bucketPos[k]!;
        neg += bucketNeg[k]!;
        this.tp[k]! += pos;
        this.fp[k]! += neg;
        this.fn[k]! += totalPos[l]! - pos;
        this.tn[k]! += totalNeg[l]! - neg;
      }
    }
  }

  /** Zeroes every count. */
  reset(): void {
    for (const a of [this.tp, this.fp, this.tn, this.fn]) a.fill(0);
  }

  /** The four count arrays one after the other (tp, fp, tn, fn), for `stateValues`. */
  values(): number[] {
    return [...this.tp, ...this.fp, ...this.tn, ...this.fn];
  }

  /** Restores what `values` gave. */
  setValues(name: string, v: readonly number[]): void {
    const n = this.tp.length;
    if (v.length !== 4 * n)
      throw new RangeError(`${name}: expected ${4 * n} state values, got ${v.length}`);
    this.tp.set(v.slice(0, n));
    this.fp.set(v.slice(n, 2 * n));
    this.tn.set(v.slice(2 * n, 3 * n));
    this.fn.set(v.slice(3 * n));
  }
}

/** x / y, 0 where y is 0 (Keras's divide_no_nan). */
export function divideNoNan(x: number, y: number): number {
  return y === 0 ? 0 : x / y;
}
