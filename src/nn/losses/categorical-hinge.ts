import { add, max, mul, relu, sub, sum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes } from './checks.js';
import { Loss } from './loss.js';

/**
 * Categorical hinge loss over the last axis: max(neg - pos + 1, 0) with pos = Σ yTrue · yPred and
 * neg = max((1 - yTrue) · yPred). `new CategoricalHinge().compute(oneHot, scores)`
 */
export class CategoricalHinge extends Loss {
  static override className = 'CategoricalHinge';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'categorical_hinge');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    const pos = sum(mul(t, p), -1);
    const neg = max(mul(sub(1, t), p), -1);
    return relu(add(sub(neg, pos), 1));
  }

  /** The options that rebuild this `CategoricalHinge` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
