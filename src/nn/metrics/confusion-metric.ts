import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { alignShapes, sampleWeights } from './shapes.js';
import { ThresholdCounts } from './threshold-counts.js';

/** Options of the metrics counted from a confusion matrix (`Precision`, `Recall`, ...). */
export interface ConfusionMetricArgs {
  /**
   * A prediction counts as positive when yPred > threshold; several thresholds give one result
   * each (`resultPerThreshold()`).
   */
  thresholds?: number | number[];
  /** Only count this class (the last axis of yTrue/yPred). */
  classId?: number;
  name?: string;
}

/**
 * Weighted counts of true/false positives/negatives over all entries (or one class column) at each
 * threshold, with positive predictions yPred > threshold (compared in float32, as Keras) and
 * positive labels yTrue != 0. Precision and Recall read them.
 */
export abstract class ConfusionMetric extends Metric {
  readonly thresholds: number | number[];
  readonly classId: number | undefined;
  protected readonly counts: ThresholdCounts;

  constructor(args: ConfusionMetricArgs, defaultName: string) {
    super(args.name ?? defaultName);
    this.thresholds = args.thresholds ?? 0.5;
    this.classId = args.classId;
    const list = Array.isArray(this.thresholds) ? this.thresholds : [this.thresholds];
    if (list.length === 0 || list.some((t) => !(t >= 0 && t <= 1)))
      throw new RangeError(
        `${this.name}: thresholds must be in [0, 1], got ${Array.isArray(this.thresholds) ? `[${list.join(', ')}]` : this.thresholds}`,
      );
    this.counts = new ThresholdCounts(list, 1, false, false);
  }

  /** Adds a batch's (weighted) true/false positive and negative counts at each threshold. */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const { t, p, samples, perSample } = alignShapes(this.name, yTrue, yPred);
    const w = sampleWeights(this.name, sampleWeight, samples);
    let stride = 1;
    let first = 0;
    if (this.classId !== undefined) {
      const classes = yPred.rank === 0 ? 1 : yPred.shape[yPred.rank - 1]!;
      if (!(Number.isInteger(this.classId) && this.classId >= 0 && this.classId < classes))
        throw new RangeError(
          `${this.name}: classId ${this.classId} is out of range for ${classes} classes (yPred ${formatShape(yPred.shape)})`,
        );
      stride = classes;
      first = this.classId;
    }
    const per = perSample / stride;
    const at = (j: number) => first + j * stride;
    this.counts.add(
      Float64Array.from({ length: samples * per }, (_, j) => t[at(j)]!),
      Float32Array.from({ length: samples * per }, (_, j) => p[at(j)]!),
      samples * per,
      w === null ? () => 1 : (j) => w[Math.floor(j / per)]!,
      () => 0,
    );
  }

  /** `f(tp, fp, fn, tn)` at each threshold. */
  protected perThreshold(f: (tp: number, fp: number, fn: number, tn: number) => number): number[] {
    const c = this.counts;
    return Array.from(c.tp, (tp, i) => f(tp, c.fp[i]!, c.fn[i]!, c.tn[i]!));
  }

  /** The metric at each threshold. */
  abstract resultPerThreshold(): number[];

  /** The metric at the threshold; with several thresholds, read `resultPerThreshold()`. */
  result(): number {
    if (Array.isArray(this.thresholds) && this.thresholds.length > 1)
      throw new Error(
        `${this.name}: there are ${this.thresholds.length} thresholds, so one result each; call resultPerThreshold()`,
      );
    return this.resultPerThreshold()[0]!;
  }

  /** Zeroes the counts. */
  resetState(): void {
    this.counts.reset();
  }

  /** The counts per threshold in the order tp, fp, fn, tn (as files from one threshold saved them). */
  override stateValues(): number[] {
    const c = this.counts;
    return [...c.tp, ...c.fp, ...c.fn, ...c.tn];
  }

  override setStateValues(values: readonly number[]): void {
    const n = this.counts.tp.length;
    if (values.length !== 4 * n)
      throw new RangeError(`${this.name}: expected ${4 * n} state values, got ${values.length}`);
    const c = this.counts;
    [c.tp, c.fp, c.fn, c.tn].forEach((a, k) => {
      a.set(values.slice(k * n, (k + 1) * n));
    });
  }

  /**
   * The options that rebuild this `ConfusionMetric` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { name: this.name, thresholds: this.thresholds, classId: this.classId };
  }
}
