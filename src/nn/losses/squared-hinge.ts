import { mul, relu, square, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { hingeLabels } from './hinge.js';
import { Loss } from './loss.js';

/**
 * Squared hinge loss over the last axis: max(1 - yTrue · yPred, 0)², with 0/1 labels taken as -1/1
 * (as Keras). `new SquaredHinge().compute(labels, scores)`
 */
export class SquaredHinge extends Loss {
  static override className = 'SquaredHinge';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'squared_hinge');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    return meanOverLastAxis(square(relu(sub(1, mul(hingeLabels(t), p)))));
  }

  /** The options that rebuild this `SquaredHinge` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
