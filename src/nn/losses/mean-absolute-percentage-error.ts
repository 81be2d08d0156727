import { abs, div, maximum, mul, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * Mean absolute percentage error over the last axis: 100 · |yTrue - yPred| / max(|yTrue|, 1e-7).
 * `new MeanAbsolutePercentageError().compute(targets, predictions)`
 */
export class MeanAbsolutePercentageError extends Loss {
  static override className = 'MeanAbsolutePercentageError';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean_absolute_percentage_error');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    return meanOverLastAxis(mul(div(abs(sub(t, p)), maximum(abs(t), 1e-7)), 100));
  }

  /** The options that rebuild this `MeanAbsolutePercentageError` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
