import { add, log, mul, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * Poisson loss, averaged over the last axis: yPred - yTrue · log(yPred + 1e-7) (Keras's epsilon).
 * `new Poisson().compute(counts, rates)`
 */
export class Poisson extends Loss {
  static override className = 'Poisson';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'poisson');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    return meanOverLastAxis(sub(p, mul(t, log(add(p, 1e-7)))));
  }

  /** The options that rebuild this `Poisson` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
