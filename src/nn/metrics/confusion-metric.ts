import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { alignShapes, sampleWeights } from './shapes.js';

/** Options of the metrics counted from a confusion matrix (`Precision`, `Recall`, ...). */
export interface ConfusionMetricArgs {
  /** A prediction counts as positive when yPred > thresholds. */
  thresholds?: number;
  /** Only count this class (the last axis of yTrue/yPred). */
  classId?: number;
  name?: string;
}

/**
 * Weighted counts of true/false positives/negatives over all entries (or one class column), with
 * positive predictions yPred > threshold and positive labels yTrue != 0. Precision and Recall read them.
 */
export abstract class ConfusionMetric extends Metric {
  readonly thresholds: number;
  readonly classId: number | undefined;
  protected truePositives = 0;
  protected falsePositives = 0;
  protected falseNegatives = 0;
  protected trueNegatives = 0;

  constructor(args: ConfusionMetricArgs, defaultName: string) {
    super(args.name ?? defaultName);
    this.thresholds = args.thresholds ?? 0.5;
    this.classId = args.classId;
    if (!(this.thresholds >= 0 && this.thresholds <= 1))
      throw new RangeError(`${this.name}: thresholds must be in [0, 1], got ${this.thresholds}`);
  }

  /** Adds a batch's (weighted) true/false positive and negative counts at the threshold. */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const { t, p, samples, perSample } = alignShapes(this.name, yTrue, yPred);
    const w = sampleWeights(this.name, sampleWeight, samples);
    let stride = 1;
    let first = 0;
    if (this.classId !== undefined) {
      const classes = yPred.rank === 0 ? 1 : yPred.shape[yPred.rank - 1]!;
      if (!(Number.isInteger(this.classId) && this.classId >= 0 && this.classId < classes))
        throw new RangeError(
          `${this.name}: classId ${this.classId} is out of range for ${classes} classes`,
        );
      stride = classes;
      first = this.classId;
    }
    const threshold = this.thresholds;
    for (let s = 0; s < samples; s++) {
      const ws = w === null ? 1 : w[s]!;
      const end = (s + 1) * perSample;
      for (let j = s * perSample + first; j < end; j += stride) {
        const predicted = p[j]! > threshold;
        const actual = t[j] !== 0;
        if (predicted) {
          if (actual) this.truePositives += ws;
          else this.falsePositives += ws;
        } else if (actual) this.falseNegatives += ws;
        else this.trueNegatives += ws;
      }
    }
  }

  /** Zeroes the counts. */
  resetState(): void {
    this.truePositives = 0;
    this.falsePositives = 0;
    this.falseNegatives = 0;
    this.trueNegatives = 0;
  }

  override stateValues(): number[] {
    return [this.truePositives, this.falsePositives, this.falseNegatives, this.trueNegatives];
  }

  override setStateValues([tp, fp, fn, tn]: readonly number[]): void {
    this.truePositives = tp!;
    this.falsePositives = fp!;
    this.falseNegatives = fn!;
    this.trueNegatives = tn!;
  }

  /**
   * The options that rebuild this `ConfusionMetric` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { name: this.name, thresholds: this.thresholds, classId: this.classId };
  }
}
