import type { Tensor } from '../../tensor/tensor.js';
import { MeanMetricWrapper } from './mean-metric-wrapper.js';
import { type Aligned, alignShapes } from './shapes.js';

/** Index of the largest of `n` values from `offset` (the first one on ties, NaN wins as in argmax). */
export function argmaxAt(x: ArrayLike<number>, offset: number, n: number): number {
  let best = 0;
  let bestValue = x[offset]!;
  for (let k = 1; k < n && !Number.isNaN(bestValue); k++) {
    const v = x[offset + k]!;
    if (v > bestValue || Number.isNaN(v)) {
      best = k;
      bestValue = v;
    }
  }
  return best;
}

/**
 * How often argmax(yPred) equals argmax(yTrue) over the last axis (one-hot labels).
 * yTrue and yPred: [batch, classes] (or [batch, ..., classes]). `new CategoricalAccuracy()`
 */
export class CategoricalAccuracy extends MeanMetricWrapper {
  static override className = 'CategoricalAccuracy';
  private classes = 1;

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'categorical_accuracy');
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
      if (argmaxAt(t, off, C) === argmaxAt(p, off, C)) hits++;
    }
    return hits / rows;
  }
}
