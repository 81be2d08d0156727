import type { Tensor } from '../../tensor/tensor.js';
import { argmaxAt } from './categorical-accuracy.js';
import { MeanMetricWrapper } from './mean-metric-wrapper.js';
import { type Aligned, alignShapes } from './shapes.js';

/**
 * Whether class `target` is among the k largest of the `n` values from `offset`, as TensorFlow's
 * in_top_k decides: fewer than k values are strictly larger (ties at the boundary count as in),
 * and a non-finite score is never in.
 */
export function inTopK(
  x: ArrayLike<number>,
  offset: number,
  n: number,
  target: number,
  k: number,
): boolean {
  if (!(Number.isInteger(target) && target >= 0 && target < n)) return false;
  const v = x[offset + target]!;
  if (!Number.isFinite(v)) return false;
  let larger = 0;
  for (let c = 0; c < n; c++) if (x[offset + c]! > v) larger++;
  return larger < k;
}

/** Checks Keras's k: a positive integer. */
export function checkK(className: string, k: number): number {
  if (!(Number.isInteger(k) && k >= 1))
    throw new RangeError(`${className}: k must be a positive integer, got ${k}`);
  return k;
}

/**
 * How often the class of the one-hot label (its argmax) is among the k highest scores of yPred.
 * yTrue and yPred: [batch, classes] (or [batch, ..., classes]). `new TopKCategoricalAccuracy({k: 5})`
 */
export class TopKCategoricalAccuracy extends MeanMetricWrapper {
  static override className = 'TopKCategoricalAccuracy';
  readonly k: number;
  private classes = 1;

  constructor(args: { k?: number; name?: string } = {}) {
    super(args.name ?? 'top_k_categorical_accuracy');
    this.k = checkK('TopKCategoricalAccuracy', args.k ?? 5);
  }

  protected override align(yTrue: Tensor, yPred: Tensor): Aligned {
    if (yPred.rank === 0)
      throw new RangeError(`${this.name}: yPred must have a class axis, got a scalar`);
    this.classes = yPred.shape[yPred.rank - 1]!;
    return alignShapes(this.name, yTrue, yPred);
  }

  protected sampleValue({ t, p, perSample }: Aligned, s: number): number {
    const C = this.classes;
    const rows = perSample / C;
    let hits = 0;
    for (let r = 0; r < rows; r++) {
      const off = s * perSample + r * C;
      if (inTopK(p, off, C, argmaxAt(t, off, C), this.k)) hits++;
    }
    return hits / rows;
  }

  /** The options that rebuild this metric with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { name: this.name, k: this.k };
  }
}
