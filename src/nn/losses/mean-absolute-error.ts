import { abs } from '../../ops/abs.js';
import { sub } from '../../ops/sub.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * mean(|yPred - yTrue|) over the last axis. yTrue and yPred: the same shape (or [batch] against
 * [batch, 1]). `new MeanAbsoluteError().compute(targets, predictions)`
 */
export class MeanAbsoluteError extends Loss {
  static override className = 'MeanAbsoluteError';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean_absolute_error');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    return meanOverLastAxis(abs(sub(p, t)));
  }

  /**
   * The options that rebuild this `MeanAbsoluteError` with `fromConfig` (what serialization saves).
   */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
