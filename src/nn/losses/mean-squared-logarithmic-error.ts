import { log1p, maximum, square, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { matchShapes, meanOverLastAxis } from './checks.js';
import { Loss } from './loss.js';

/**
 * Mean squared logarithmic error over the last axis: (log(max(yPred, 1e-7) + 1) -
 * log(max(yTrue, 1e-7) + 1))². `new MeanSquaredLogarithmicError().compute(targets, predictions)`
 */
export class MeanSquaredLogarithmicError extends Loss {
  static override className = 'MeanSquaredLogarithmicError';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean_squared_logarithmic_error');
  }

  call(yTrue: Tensor, yPred: Tensor): Tensor {
    const [t, p] = matchShapes(this.name, yTrue, yPred);
    return meanOverLastAxis(square(sub(log1p(maximum(p, 1e-7)), log1p(maximum(t, 1e-7)))));
  }

  /** The options that rebuild this `MeanSquaredLogarithmicError` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
