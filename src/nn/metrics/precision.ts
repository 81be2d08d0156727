import { ConfusionMetric, type ConfusionMetricArgs } from './confusion-metric.js';

/**
 * True positives / (true positives + false positives), 0 before any positive prediction; at
 * one threshold or several (`new Precision({thresholds: [0.3, 0.7]}).resultPerThreshold()`).
 * `new Precision({thresholds: 0.5, classId: 2})`
 */
export class Precision extends ConfusionMetric {
  static override className = 'Precision';

  constructor(args: ConfusionMetricArgs = {}) {
    super(args, 'precision');
  }

  /** True positives / (true + false positives) at each threshold, 0 where nothing was predicted positive. */
  resultPerThreshold(): number[] {
    return this.perThreshold((tp, fp) => {
      const d = tp + fp;
      return d === 0 ? 0 : tp / d;
    });
  }
}
