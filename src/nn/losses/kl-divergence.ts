import { clipByValue } from '../../ops/clip-by-value.js';
import { div } from '../../ops/div.js';
import { log } from '../../ops/log.js';
import { mul } from '../../ops/mul.js';
import { sum } from '../../ops/sum.js';
import type { Tensor } from '../../tensor/tensor.js';
import { EPSILON, matchShapes } from './checks.js';
import { Loss } from './loss.js';

/**
 * Kullback–Leibler divergence KL(yTrue ‖ yPred) = Σ yTrue · log(yTrue / yPred) over the last axis,
 * both clipped to [1e-7, 1] as Keras does. yTrue and yPred: distributions of the same shape
 * [batch, ..., classes]; per-sample losses drop the last axis.
 * `new KLDivergence().compute(tensor([[0.5, 0.5]]), tensor([[0.9, 0.1]]))` is 0.511
 */
export class KLDivergence extends Loss {
  static override className = 'KLDivergence';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'kl_divergence');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    const tc = clipByValue(t, EPSILON, 1);
    const pc = clipByValue(p, EPSILON, 1);
    const terms = mul(tc, log(div(tc, pc)));
    return t.rank >= 1 ? sum(terms, -1) : terms;
  }

  /** The options that rebuild this `KLDivergence` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
