import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { argmaxAt } from './categorical-accuracy.js';
import { MeanMetricWrapper } from './mean-metric-wrapper.js';
import type { Aligned } from './shapes.js';

/**
 * How often argmax(yPred) equals the integer label. yPred: [batch, classes] (or [batch, ..., classes]);
 * yTrue: [batch] (or [batch, ...], with an optional trailing 1). `new SparseCategoricalAccuracy()`
 */
export class SparseCategoricalAccuracy extends MeanMetricWrapper {
  static override className = 'SparseCategoricalAccuracy';
  protected classes = 1;

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'sparse_categorical_accuracy');
  }

  protected override align(yTrue: Tensor, yPred: Tensor): Aligned {
    if (yPred.rank === 0)
      throw new RangeError(`${this.name}: yPred must have a class axis, got a scalar`);
    const outer = yPred.shape.slice(0, -1);
    const labelShape =
      yTrue.rank === outer.length + 1 && yTrue.shape.at(-1) === 1
        ? yTrue.shape.slice(0, -1)
        : yTrue.shape;
    if (labelShape.length !== outer.length || labelShape.some((d, i) => d !== outer[i])) {
      throw new RangeError(
        `${this.name}: yTrue shape ${formatShape(yTrue.shape)} does not match yPred shape ${formatShape(yPred.shape)}: expected integer labels of shape ${formatShape(outer)}`,
      );
    }
    this.classes = yPred.shape[yPred.rank - 1]!;
    const samples = outer.length === 0 ? 1 : outer[0]!;
    return {
      t: yTrue.data,
      p: yPred.data,
      samples,
      perSample: samples === 0 ? 0 : yTrue.size / samples,
    };
  }

  protected sampleValue({ t, p, perSample }: Aligned, s: number): number {
    const C = this.classes;
    let hits = 0;
    for (let r = s * perSample; r < (s + 1) * perSample; r++) {
      if (t[r] === argmaxAt(p, r * C, C)) hits++;
    }
    return hits / perSample;
  }
}
