import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { alignShapes, sampleWeights } from './shapes.js';
import { divideNoNan, ThresholdCounts } from './threshold-counts.js';

/** Options of `AUC` (Keras's names and defaults). */
export interface AUCArgs {
  /** Thresholds used to discretise the curve (more is closer to the exact area); > 1. */
  numThresholds?: number;
  /** 'ROC' (true vs false positive rate) or 'PR' (precision vs recall). */
  curve?: 'ROC' | 'PR';
  /** Heights of the Riemann sum: trapezoids, or the smaller/larger end of each interval. */
  summationMethod?: 'interpolation' | 'minoring' | 'majoring';
  /** Explicit thresholds in [0, 1] instead of numThresholds evenly spaced ones. */
  thresholds?: number[];
  /** Each label column [batch, numLabels] gets its own curve; the result is their mean. */
  multiLabel?: boolean;
  /** The number of label columns when multiLabel (otherwise taken from the first batch). */
  numLabels?: number;
  /** yPred holds logits; a sigmoid is applied first. */
  fromLogits?: boolean;
  name?: string;
}

const KERAS_EPSILON = 1e-7;

/**
 * Area under the ROC or PR curve, approximated as Keras does: weighted confusion counts at
 * `numThresholds` thresholds ([-ε, 1/(T-1), ..., 1+ε]) accumulated over batches, then a Riemann
 * sum; ('PR', 'interpolation') integrates precision between thresholds with Davis & Goadrich's
 * interpolation. yTrue (0/1) and yPred (probabilities) of the same shape, any rank (flattened
 * unless multiLabel). `new AUC({curve: 'PR'})`
 */
export class AUC extends Metric {
  static override className = 'AUC';
  readonly numThresholds: number;
  readonly curve: 'ROC' | 'PR';
  readonly summationMethod: 'interpolation' | 'minoring' | 'majoring';
  readonly multiLabel: boolean;
  readonly numLabels: number | undefined;
  readonly fromLogits: boolean;
  private readonly initThresholds: number[] | undefined;
  private readonly evenly: boolean;
  /** Every threshold, the -ε and 1+ε ends included. */
  readonly thresholds: readonly number[];
  private counts: ThresholdCounts | null = null;

  constructor(args: AUCArgs = {}) {
    super(args.name ?? 'auc');
    this.curve = args.curve ?? 'ROC';
    this.summationMethod = args.summationMethod ?? 'interpolation';
    this.multiLabel = args.multiLabel ?? false;
    this.numLabels = args.numLabels;
    this.fromLogits = args.fromLogits ?? false;
    if (this.curve !== 'ROC' && this.curve !== 'PR')
      throw new RangeError(`AUC: curve must be 'ROC' or 'PR', got '${this.curve}'`);
    if (!['interpolation', 'minoring', 'majoring'].includes(this.summationMethod))
      throw new RangeError(
        `AUC: summationMethod must be 'interpolation', 'minoring' or 'majoring', got '${this.summationMethod}'`,
      );
    let inner: number[];
    if (args.thresholds !== undefined) {
      inner = [...args.thresholds].sort((a, b) => a - b);
      if (inner.some((t) => !(t >= 0 && t <= 1)))
        throw new RangeError(`AUC: thresholds must be in [0, 1], got [${args.thresholds}]`);
      this.initThresholds = inner;
      this.numThresholds = inner.length + 2;
      const all = [0, ...inner, 1];
      this.evenly =
        all.length >= 3 &&
        all.every(
          (t, i) =>
            Math.abs(t - i / (all.length - 1)) <= KERAS_EPSILON + 1e-5 * (i / (all.length - 1)),
        );
    } else {
      const n = args.numThresholds ?? 200;
      if (!(Number.isInteger(n) && n > 1))
        throw new RangeError(`AUC: numThresholds must be an integer > 1, got ${n}`);
      this.numThresholds = n;
      inner = Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1));
      this.evenly = true;
    }
    this.thresholds = [-KERAS_EPSILON, ...inner, 1 + KERAS_EPSILON];
    if (!this.multiLabel && this.numLabels !== undefined)
      throw new RangeError('AUC: numLabels is needed only when multiLabel is true');
    if (this.multiLabel && this.numLabels !== undefined) this.build(this.numLabels);
    if (!this.multiLabel) this.build(1);
  }

  private build(labels: number): ThresholdCounts {
    this.counts = new ThresholdCounts(this.thresholds, labels, this.evenly, true);
    return this.counts;
  }

  /** Adds a batch's weighted confusion counts at every threshold. */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const { t, p, samples, perSample } = alignShapes(this.name, yTrue, yPred);
    const w = sampleWeights(this.name, sampleWeight, samples);
    let labels = 1;
    if (this.multiLabel) {
      if (yPred.rank !== 2)
        throw new RangeError(
          `${this.name}: yPred must have rank 2 [batch, labels] when multiLabel is true, got ${formatShape(yPred.shape)}`,
        );
      labels = yPred.shape[1]!;
    }
    const counts = this.counts ?? this.build(labels);
    if (counts.labels !== labels)
      throw new RangeError(
        `${this.name}: expected ${counts.labels} label columns, got yPred ${formatShape(yPred.shape)}`,
      );
    const probs = this.fromLogits ? Float32Array.from(p, (x) => 1 / (1 + Math.exp(-x))) : p;
    counts.add(
      t,
      probs,
      samples * perSample,
      w === null ? () => 1 : (j) => w[Math.floor(j / perSample)]!,
      labels === 1 ? () => 0 : (j) => j % labels,
    );
  }

  /** The area: the mean over labels when multiLabel; 0 before any batch. */
  result(): number {
    const c = this.counts;
    if (c === null) return 0;
    const L = c.labels;
    let total = 0;
    for (let l = 0; l < L; l++) total += this.labelArea(c, l);
    return total / L;
  }

  private labelArea(c: ThresholdCounts, l: number): number {
    const T = this.numThresholds;
    const L = c.labels;
    const at = (a: Float64Array, i: number) => a[i * L + l]!;
    let area = 0;
    if (this.curve === 'PR' && this.summationMethod === 'interpolation') {
      // Davis & Goadrich: between thresholds A and B, TP and P = TP + FP vary linearly, so
      // precision = (TP_A + slope (P - P_A)) / P integrates in closed form over P.
      for (let i = 0; i < T - 1; i++) {
        const dtp = at(c.tp, i) - at(c.tp, i + 1);
        const pA = at(c.tp, i) + at(c.fp, i);
        const pB = at(c.tp, i + 1) + at(c.fp, i + 1);
        const slope = divideNoNan(dtp, Math.max(pA - pB, 0));
        const intercept = at(c.tp, i + 1) - slope * pB;
        const ratio = pA > 0 && pB > 0 ? divideNoNan(pA, Math.max(pB, 0)) : 1;
        area += divideNoNan(
          slope * (dtp + intercept * Math.log(ratio)),
          Math.max(at(c.tp, i + 1) + at(c.fn, i + 1), 0),
        );
      }
      return area;
    }
    const x = new Float64Array(T);
    const y = new Float64Array(T);
    for (let i = 0; i < T; i++) {
      const tp = at(c.tp, i);
      const recall = divideNoNan(tp, tp + at(c.fn, i));
      if (this.curve === 'ROC') {
        x[i] = divideNoNan(at(c.fp, i), at(c.fp, i) + at(c.tn, i));
        y[i] = recall;
      } else {
        x[i] = recall;
        y[i] = divideNoNan(tp, tp + at(c.fp, i));
      }
    }
    for (let i = 0; i < T - 1; i++) {
      const h =
        this.summationMethod === 'interpolation'
          ? (y[i]! + y[i + 1]!) / 2
          : this.summationMethod === 'minoring'
            ? Math.min(y[i]!, y[i + 1]!)
            : Math.max(y[i]!, y[i + 1]!);
      area += (x[i]! - x[i + 1]!) * h;
    }
    return area;
  }

  /** Zeroes the counts (a multiLabel AUC without numLabels learns its label count again). */
  resetState(): void {
    if (this.multiLabel && this.numLabels === undefined) this.counts = null;
    else this.counts?.reset();
  }

  /** The counts per threshold (and label): tp, fp, tn, fn; [] before a multiLabel AUC's first batch. */
  override stateValues(): number[] {
    return this.counts === null ? [] : this.counts.values();
  }

  override setStateValues(values: readonly number[]): void {
    if (values.length === 0 && this.multiLabel && this.numLabels === undefined) {
      this.counts = null;
      return;
    }
    const counts = this.counts ?? this.build(values.length / (4 * this.numThresholds));
    counts.setValues(this.name, values);
  }

  /** The options that rebuild this `AUC` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      numThresholds: this.numThresholds,
      curve: this.curve,
      summationMethod: this.summationMethod,
      multiLabel: this.multiLabel,
      numLabels: this.numLabels,
      fromLogits: this.fromLogits,
      ...(this.initThresholds ? { thresholds: this.initThresholds } : {}),
    };
  }
}
