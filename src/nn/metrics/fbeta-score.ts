import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { sampleWeights } from './shapes.js';

/** How per-class scores combine: none (per class), over all entries, their mean, or weighted by support. */
export type FScoreAverage = null | 'micro' | 'macro' | 'weighted';

/** Options of `FBetaScore` and `F1Score` (Keras's names and defaults). */
export interface FBetaScoreArgs {
  /** null: one score per class (read `resultPerClass()`); 'micro', 'macro' or 'weighted'. */
  average?: FScoreAverage;
  /** Weight of recall against precision; > 0. */
  beta?: number;
  /** yPred > threshold is a positive prediction; undefined: the row's largest score (argmax). */
  threshold?: number;
  name?: string;
}

const EPSILON = 1e-7;

/**
 * The F-beta score (1 + β²) · P · R / (β² · P + R) per class from weighted TP/FP/FN counts over
 * batches, then averaged as `average` says. yTrue (0/1, one-hot or multi-label) and yPred:
 * [batch, classes]. `new FBetaScore({beta: 2, average: 'macro', threshold: 0.5})`
 */
export class FBetaScore extends Metric {
  static override className = 'FBetaScore';
  readonly average: FScoreAverage;
  readonly beta: number;
  readonly threshold: number | undefined;
  private tp: Float64Array | null = null;
  private fp: Float64Array | null = null;
  private fn: Float64Array | null = null;
  private support: Float64Array | null = null;

  constructor(args: FBetaScoreArgs = {}, defaultName = 'fbeta_score') {
    super(args.name ?? defaultName);
    const cls = (this.constructor as typeof Metric).className;
    this.average = args.average ?? null;
    this.beta = args.beta ?? 1;
    this.threshold = args.threshold;
    if (![null, 'micro', 'macro', 'weighted'].includes(this.average))
      throw new RangeError(
        `${cls}: average must be null, 'micro', 'macro' or 'weighted', got '${this.average}'`,
      );
    if (!(this.beta > 0)) throw new RangeError(`${cls}: beta must be > 0, got ${this.beta}`);
    if (this.threshold !== undefined && !(this.threshold > 0 && this.threshold <= 1))
      throw new RangeError(`${cls}: threshold must be in (0, 1], got ${this.threshold}`);
  }

  /** Adds a batch's weighted true positives, false positives, false negatives and supports. */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    if (
      yPred.rank !== 2 ||
      yTrue.rank !== 2 ||
      yTrue.shape[1] !== yPred.shape[1] ||
      yTrue.shape[0] !== yPred.shape[0]
    )
      throw new RangeError(
        `${this.name}: expected yTrue and yPred of the same shape [batch, classes], got yTrue ${formatShape(yTrue.shape)} and yPred ${formatShape(yPred.shape)}`,
      );
    const [batch, C] = yPred.shape as [number, number];
    const slots = this.average === 'micro' ? 1 : C;
    if (this.tp === null) {
      this.tp = new Float64Array(slots);
      this.fp = new Float64Array(slots);
      this.fn = new Float64Array(slots);
      this.support = new Float64Array(slots);
    } else if (this.average !== 'micro' && this.tp.length !== C) {
      throw new RangeError(
        `${this.name}: expected ${this.tp.length} classes, got yPred ${formatShape(yPred.shape)}`,
      );
    }
    const w = sampleWeights(this.name, sampleWeight, batch);
    const t = yTrue.data;
    const p = yPred.data;
    for (let s = 0; s < batch; s++) {
      const ws = w === null ? 1 : w[s]!;
      let max = Number.NEGATIVE_INFINITY;
      if (this.threshold === undefined)
        for (let c = 0; c < C; c++) max = Math.max(max, p[s * C + c]!);
      for (let c = 0; c < C; c++) {
        const v = p[s * C + c]!;
        // Without a threshold the row's maximum is positive, unless it is 0 (an all-zero row).
        const pred =
          this.threshold === undefined
            ? v >= max && Math.abs(v) > 1e-9
              ? 1
              : 0
            : v > this.threshold
              ? 1
              : 0;
        const y = t[s * C + c]!;
        const k = slots === 1 ? 0 : c;
        this.tp![k]! += ws * pred * y;
        this.fp![k]! += ws * pred * (1 - y);
        this.fn![k]! += ws * (1 - pred) * y;
        this.support![k]! += ws * y;
      }
    }
  }

  /** The score of each class (one value when average is 'micro'); [] before any batch. */
  resultPerClass(): number[] {
    if (this.tp === null) return [];
    const b2 = this.beta * this.beta;
    return [...this.tp].map((tp, k) => {
      const precision = tp / (tp + this.fp![k]! + EPSILON);
      const recall = tp / (tp + this.fn![k]! + EPSILON);
      return ((precision * recall) / (b2 * precision + recall + EPSILON)) * (1 + b2);
    });
  }

  /**
   * The averaged score (0 before any batch). With average null there is one score per class:
   * read `resultPerClass()` (this throws, as logs hold one number per metric).
   */
  result(): number {
    if (this.average === null)
      throw new Error(
        `${this.name}: average is null, so the result is one score per class; call resultPerClass(), or pass average 'micro', 'macro' or 'weighted'`,
      );
    const scores = this.resultPerClass();
    if (scores.length === 0) return 0;
    if (this.average === 'weighted') {
      const total = this.support!.reduce((a, b) => a + b, 0) + EPSILON;
      return scores.reduce((a, f, k) => a + (f * this.support![k]!) / total, 0);
    }
    return scores.reduce((a, b) => a + b, 0) / scores.length;
  }

  /** Forgets every batch (the class count too). */
  resetState(): void {
    this.tp = this.fp = this.fn = this.support = null;
  }

  /** Per class: true positives, false positives, false negatives, supports ([] before any batch). */
  override stateValues(): number[] {
    if (this.tp === null) return [];
    return [...this.tp, ...this.fp!, ...this.fn!, ...this.support!];
  }

  override setStateValues(values: readonly number[]): void {
    if (values.length === 0) {
      this.resetState();
      return;
    }
    const n = values.length / 4;
    this.tp = Float64Array.from(values.slice(0, n));
    this.fp = Float64Array.from(values.slice(n, 2 * n));
    this.fn = Float64Array.from(values.slice(2 * n, 3 * n));
    this.support = Float64Array.from(values.slice(3 * n));
  }

  /** The options that rebuild this metric with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { name: this.name, average: this.average, beta: this.beta, threshold: this.threshold };
  }
}
