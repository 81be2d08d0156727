import { MeanMetricWrapper } from './mean-metric-wrapper.js';
import type { Aligned } from './shapes.js';

/** The mean of (yPred - yTrue)², averaged per sample then over samples. `new MeanSquaredError()` */
export class MeanSquaredError extends MeanMetricWrapper {
  static override className = 'MeanSquaredError';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean_squared_error');
  }

  protected sampleValue({ t, p, perSample }: Aligned, s: number): number {
    let sum = 0;
    for (let j = s * perSample; j < (s + 1) * perSample; j++) {
      const d = p[j]! - t[j]!;
      sum += d * d;
    }
    return sum / perSample;
  }
}
