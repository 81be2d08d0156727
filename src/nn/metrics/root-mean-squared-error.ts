import { MeanSquaredError } from './mean-squared-error.js';

/**
 * √(weighted mean of (yPred - yTrue)²) over every batch seen: the root of the running mean, not the
 * mean of batch roots. `new RootMeanSquaredError()`
 */
export class RootMeanSquaredError extends MeanSquaredError {
  static override className = 'RootMeanSquaredError';

  constructor(args: { name?: string } = {}) {
    super({ name: args.name ?? 'root_mean_squared_error' });
  }

  /** The root of the weighted mean squared error (0 before any batch). */
  override result(): number {
    return Math.sqrt(super.result());
  }
}
