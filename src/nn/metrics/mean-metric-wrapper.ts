import type { Tensor } from '../../tensor/tensor.js';
import { Metric } from './metric.js';
import { type Aligned, alignShapes, sampleWeights } from './shapes.js';

/**
 * The base of metrics that average one value per sample (accuracies, errors): a subclass gives the
 * value of sample s; the result is the weighted mean over all samples seen, Σ w v / Σ w.
 */
export abstract class MeanMetricWrapper extends Metric {
  protected total = 0;
  protected count = 0;

  /** The value of sample `s` (a mean over its entries when it has several). */
  protected abstract sampleValue(a: Aligned, s: number): number;

  /** Shape check and layout; overridden where yTrue has another layout (sparse labels). */
  protected align(yTrue: Tensor, yPred: Tensor): Aligned {
    return alignShapes(this.name, yTrue, yPred);
  }

  /**
   * Adds a batch: the metric's per-sample values, weighted by `sampleWeight` when given, to the
   * running mean.
   */
  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    const a = this.align(yTrue, yPred);
    const w = sampleWeights(this.name, sampleWeight, a.samples);
    for (let s = 0; s < a.samples; s++) {
      const ws = w === null ? 1 : w[s]!;
      if (ws === 0) continue;
      this.total += ws * this.sampleValue(a, s);
      this.count += ws;
    }
  }

  /** The weighted mean over every batch since the last reset (0 before any). */
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  /** Forgets every batch seen (start of an epoch or evaluation). */
  resetState(): void {
    this.total = 0;
    this.count = 0;
  }

  override stateValues(): number[] {
    return [this.total, this.count];
  }

  override setStateValues([total, count]: readonly number[]): void {
    this.total = total!;
    this.count = count!;
  }
}
