import { MeanMetricWrapper } from './mean-metric-wrapper.js';
import type { Aligned } from './shapes.js';

/** The mean of |yPred - yTrue|, averaged per sample then over samples. `new MeanAbsoluteError()` */
export class MeanAbsoluteError extends MeanMetricWrapper {
  static override className = 'MeanAbsoluteError';

  constructor(args: { name?: string } = {}) {
    super(args.name ?? 'mean_absolute_error');
  }

  protected sampleValue({ t, p, perSample }: Aligned, s: number): number {
    let sum = 0;
    for (let j = s * perSample; j < (s + 1) * perSample; j++) sum += Math.abs(p[j]! - t[j]!);
    return sum / perSample;
  }
}
