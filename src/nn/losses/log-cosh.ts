import { add, mul, softplus, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * Logarithm of the hyperbolic cosine of the error e = yPred - yTrue, averaged over the last axis,
 * computed stably as e + softplus(-2e) - log 2. `new LogCosh().compute(targets, predictions)`
 */
export class LogCosh extends Loss {
  static override className = 'LogCosh';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'log_cosh');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    const e = sub(p, t);
    return meanOverLastAxis(sub(add(e, softplus(mul(e, -2))), Math.LN2));
  }

  /** The options that rebuild this `LogCosh` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
