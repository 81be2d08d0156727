import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { alignShapes, sampleWeights } from './shapes.js';

/** Options of `R2Score` (Keras's names and defaults). */
export interface R2ScoreArgs {
  /** How the per-output scores combine: null (per output, read `resultPerClass()`), their mean, or weighted by variance. */
  classAggregation?: null | 'uniform_average' | 'variance_weighted_average';
  /** Independent variables of the regression, for the adjusted R² (0: plain R²). */
  numRegressors?: number;
  name?: string;
}

/**
 * The coefficient of determination R² = 1 - Σ w (y - ŷ)² / Σ w (y - ȳ)² per output column over
 * every batch seen, then aggregated; with numRegressors p > 0 and n samples, the adjusted
 * 1 - (1 - R²)(n - 1)/(n - p - 1). yTrue and yPred: [batch, outputs]. `new R2Score()`
 */
export class R2Score extends Metric {
  static override className = 'R2Score';
  readonly classAggregation: null | 'uniform_average' | 'variance_weighted_average';
  readonly numRegressors: number;
  private sum: Float64Array | null = null;
  private squaredSum: Float64Array | null = null;
  private residual: Float64Array | null = null;
  private count: Float64Array | null = null;
  private numSamples = 0;

  constructor(args: R2ScoreArgs = {}) {
    super(args.name ?? 'r2_score');
    this.classAggregation =
      args.classAggregation === undefined ? 'uniform_average' : args.classAggregation;
    this.numRegressors = args.numRegressors ?? 0;
    if (![null, 'uniform_average', 'variance_weighted_average'].includes(this.classAggregation))
      throw new RangeError(
        `R2Score: classAggregation must be null, 'uniform_average' or 'variance_weighted_average', got '${this.classAggregation}'`,
      );
    if (!(Number.isInteger(this.numRegressors) && this.numRegressors >= 0))
      throw new RangeError(
        `R2Score: numRegressors must be an integer >= 0, got ${this.numRegressors}`,
      );
  }

  /** Adds a batch's weighted sums of y, y², (y - ŷ)² and weights per output column. */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const { t, p, samples, perSample } = alignShapes(this.name, yTrue, yPred);
    if (Math.max(yTrue.rank, yPred.rank) !== 2)
      throw new RangeError(
        `${this.name}: expected [batch, outputs] inputs, got yTrue ${formatShape(yTrue.shape)} and yPred ${formatShape(yPred.shape)}`,
      );
    const K = perSample;
    if (this.sum === null) {
      this.sum = new Float64Array(K);
      this.squaredSum = new Float64Array(K);
      this.residual = new Float64Array(K);
      this.count = new Float64Array(K);
    } else if (this.sum.length !== K) {
      throw new RangeError(`${this.name}: expected ${this.sum.length} outputs, got ${K}`);
    }
    const w = sampleWeights(this.name, sampleWeight, samples);
    for (let s = 0; s < samples; s++) {
      const ws = w === null ? 1 : w[s]!;
      for (let k = 0; k < K; k++) {
        const y = t[s * K + k]!;
        const d = y - p[s * K + k]!;
        this.sum[k]! += ws * y;
        this.squaredSum![k]! += ws * y * y;
        this.residual![k]! += ws * d * d;
        this.count![k]! += ws;
      }
      if (ws !== 0 && K > 0) this.numSamples++;
    }
  }

  /** R² of each output column (NaN where yTrue is constant and predicted exactly; 0 where constant otherwise). */
  resultPerClass(): number[] {
    if (this.sum === null) return [];
    return [...this.sum].map((_, k) => this.rawScore(k));
  }

  private total(k: number): number {
    const s = this.sum![k]!;
    return this.squaredSum![k]! - s * (s / this.count![k]!);
  }

  private rawScore(k: number): number {
    const r = 1 - this.residual![k]! / this.total(k);
    return Number.isFinite(r) || Number.isNaN(r) ? r : 0;
  }

  /** The aggregated (and, with numRegressors, adjusted) R²; 0 before any batch. */
  result(): number {
    if (this.classAggregation === null)
      throw new Error(
        `${this.name}: classAggregation is null, so the result is one score per output; call resultPerClass(), or pass 'uniform_average' or 'variance_weighted_average'`,
      );
    const raw = this.resultPerClass();
    if (raw.length === 0) return 0;
    let r2: number;
    if (this.classAggregation === 'uniform_average')
      r2 = raw.reduce((a, b) => a + b, 0) / raw.length;
    else {
      let num = 0;
      let den = 0;
      raw.forEach((r, k) => {
        num += this.total(k) * r;
        den += this.total(k);
      });
      r2 = num / den;
    }
    const n = this.numSamples;
    const p = this.numRegressors;
    // Keras falls back to the plain R² when the adjustment divides by zero or less.
    if (p !== 0 && p < n - 1) r2 = 1 - ((1 - r2) * (n - 1)) / (n - p - 1);
    return r2;
  }

  /** Forgets every batch (the output count too). */
  resetState(): void {
    this.sum = this.squaredSum = this.residual = this.count = null;
    this.numSamples = 0;
  }

  /** Per output: Σ w y, Σ w y², Σ w (y - ŷ)², Σ w; then the sample count ([] before any batch). */
  override stateValues(): number[] {
    if (this.sum === null) return [];
    return [...this.sum, ...this.squaredSum!, ...this.residual!, ...this.count!, this.numSamples];
  }

  override setStateValues(values: readonly number[]): void {
    if (values.length === 0) {
      this.resetState();
      return;
    }
    const n = (values.length - 1) / 4;
    this.sum = Float64Array.from(values.slice(0, n));
    this.squaredSum = Float64Array.from(values.slice(n, 2 * n));
    this.residual = Float64Array.from(values.slice(2 * n, 3 * n));
    this.count = Float64Array.from(values.slice(3 * n, 4 * n));
    this.numSamples = values[4 * n]!;
  }

  /** The options that rebuild this `R2Score` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      name: this.name,
      classAggregation: this.classAggregation,
      numRegressors: this.numRegressors,
    };
  }
}
