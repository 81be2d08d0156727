import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { alignShapes, sampleWeights } from './shapes.js';
import { divideNoNan, ThresholdCounts } from './threshold-counts.js';

/** Options shared by PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity. */
export interface AtThresholdArgs {
  /** Thresholds [0, 1/(T-1), ..., 1] the curve is read at (1 gives the single threshold 0.5). */
  numThresholds?: number;
  /** Only count this class (the last axis of yTrue/yPred). */
  classId?: number;
  name?: string;
}

/** The rates at every threshold, from the confusion counts. */
export interface Rates {
  recall: number[];
  precision: number[];
  specificity: number[];
}

/**
 * The base of the metrics read at one point of a curve: weighted confusion counts at
 * numThresholds evenly spaced thresholds; a subclass picks the best value of one rate among the
 * thresholds where another rate reaches `value` (0 when none does).
 */
export abstract class SensitivitySpecificityBase extends Metric {
  readonly numThresholds: number;
  readonly classId: number | undefined;
  protected readonly counts: ThresholdCounts;

  constructor(
    className: string,
    readonly value: number,
    valueName: string,
    args: AtThresholdArgs,
    defaultName: string,
  ) {
    super(args.name ?? defaultName);
    if (!(value >= 0 && value <= 1))
      throw new RangeError(`${className}: ${valueName} must be in [0, 1], got ${value}`);
    this.numThresholds = args.numThresholds ?? 200;
    if (!(Number.isInteger(this.numThresholds) && this.numThresholds > 0))
      throw new RangeError(
        `${className}: numThresholds must be an integer > 0, got ${this.numThresholds}`,
      );
    this.classId = args.classId;
    const n = this.numThresholds;
    const thresholds =
      n === 1 ? [0.5] : [0, ...Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1)), 1];
    this.counts = new ThresholdCounts(thresholds, 1, n > 1, false);
  }

  /** Adds a batch's weighted confusion counts at every threshold (of class classId if given). */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const { t, p, samples, perSample } = alignShapes(this.name, yTrue, yPred);
    const w = sampleWeights(this.name, sampleWeight, samples);
    if (this.classId === undefined) {
      this.counts.add(
        t,
        p,
        samples * perSample,
        w === null ? () => 1 : (j) => w[Math.floor(j / perSample)]!,
        () => 0,
      );
      return;
    }
    const classes = yPred.rank === 0 ? 1 : yPred.shape[yPred.rank - 1]!;
    if (
      yPred.rank < 2 ||
      !(Number.isInteger(this.classId) && this.classId >= 0 && this.classId < classes)
    )
      throw new RangeError(
        `${this.name}: classId ${this.classId} needs yPred [batch, classes] with more than ${this.classId} classes, got ${formatShape(yPred.shape)}`,
      );
    const rows = (samples * perSample) / classes;
    const id = this.classId;
    const tc = new Float32Array(rows);
    const pc = new Float32Array(rows);
    for (let r = 0; r < rows; r++) {
      tc[r] = t[r * classes + id]!;
      pc[r] = p[r * classes + id]!;
    }
    const rowsPerSample = perSample / classes;
    this.counts.add(
      tc,
      pc,
      rows,
      w === null ? () => 1 : (r) => w[Math.floor(r / rowsPerSample)]!,
      () => 0,
    );
  }

  /** Recall (sensitivity), precision and specificity at every threshold. */
  protected rates(): Rates {
    const { tp, fp, tn, fn } = this.counts;
    const idx = [...tp.keys()];
    return {
      recall: idx.map((i) => divideNoNan(tp[i]!, tp[i]! + fn[i]!)),
      precision: idx.map((i) => divideNoNan(tp[i]!, tp[i]! + fp[i]!)),
      specificity: idx.map((i) => divideNoNan(tn[i]!, tn[i]! + fp[i]!)),
    };
  }

  /** The largest `dependent` among thresholds where `constrained` >= value (0 if none). */
  protected maxWhere(constrained: number[], dependent: number[]): number {
    let best = 0;
    constrained.forEach((c, i) => {
      if (c >= this.value) best = Math.max(best, dependent[i]!);
    });
    return best;
  }

  /** Zeroes the counts. */
  resetState(): void {
    this.counts.reset();
  }

  override stateValues(): number[] {
    return this.counts.values();
  }

  override setStateValues(values: readonly number[]): void {
    this.counts.setValues(this.name, values);
  }

  /** The options that rebuild this metric with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { name: this.name, numThresholds: this.numThresholds, classId: this.classId };
  }
}
