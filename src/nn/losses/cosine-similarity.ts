import { div, maximum, mul, neg, sqrt, square, sum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes } from './checks.js';
import { Loss } from './loss.js';

/**
 * Negative cosine similarity over the last axis: -Σ ŷTrue · ŷPred with ŷ = y / max(‖y‖, 1e-12)
 * (Keras's l2 normalization). 0 for orthogonal, -1 for aligned vectors.
 * `new CosineSimilarity().compute(targets, predictions)`
 */
export class CosineSimilarity extends Loss {
  static override className = 'CosineSimilarity';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'cosine_similarity');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    const unit = (y: Tensor) => div(y, maximum(sqrt(sum(square(y), -1, true)), 1e-12));
    return neg(sum(mul(unit(t), unit(p)), -1));
  }

  /** The options that rebuild this `CosineSimilarity` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
