import type { Aligned } from './shapes.js';
import { SparseCategoricalAccuracy } from './sparse-categorical-accuracy.js';
import { checkK, inTopK } from './top-k-categorical-accuracy.js';

/**
 * How often the integer label is among the k highest scores of yPred (ties at the k-th score
 * count as in). yPred: [batch, classes] (or [batch, ..., classes]); yTrue: [batch] (or [batch, ...],
 * with an optional trailing 1). `new SparseTopKCategoricalAccuracy({k: 5})`
 */
export class SparseTopKCategoricalAccuracy extends SparseCategoricalAccuracy {
  static override className = 'SparseTopKCategoricalAccuracy';
  readonly k: number;

  constructor(args: { k?: number; name?: string } = {}) {
    super({ name: args.name ?? 'sparse_top_k_categorical_accuracy' });
    this.k = checkK('SparseTopKCategoricalAccuracy', args.k ?? 5);
  }

  protected override sampleValue({ t, p, perSample }: Aligned, s: number): number {
    const C = this.classes;
    let hits = 0;
    for (let r = s * perSample; r < (s + 1) * perSample; r++) {
      if (inTopK(p, r * C, C, t[r]!, this.k)) hits++;
    }
    return hits / perSample;
  }

  /** The options that rebuild this metric with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { name: this.name, k: this.k };
  }
}
