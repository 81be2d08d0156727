import { square } from '../../ops/square.js';
import { sub } from '../../ops/sub.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * mean((yPred - yTrue)²) over the last axis. yTrue and yPred: the same shape (or [batch] against
 * [batch, 1]). `new MeanSquaredError().compute(targets, predictions)`
 */
export class MeanSquaredError extends Loss {
  static override className = 'MeanSquaredError';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean_squared_error');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    return meanOverLastAxis(square(sub(p, t)));
  }

  /**
   * The options that rebuild this `MeanSquaredError` with `fromConfig` (what serialization saves).
   */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
