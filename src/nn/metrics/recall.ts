import { ConfusionMetric, type ConfusionMetricArgs } from './confusion-metric.js';

/**
 * True positives / (true positives + false negatives), 0 before any positive label; at one
 * threshold or several (`new Recall({thresholds: [0.3, 0.7]}).resultPerThreshold()`).
 * `new Recall({thresholds: 0.5})`
 */
export class Recall extends ConfusionMetric {
  static override className = 'Recall';

  constructor(args: ConfusionMetricArgs = {}) {
    super(args, 'recall');
  }

  /** True positives / (true positives + false negatives) at each threshold, 0 where there was no positive label. */
  resultPerThreshold(): number[] {
    return this.perThreshold((tp, _fp, fn) => {
      const d = tp + fn;
      return d === 0 ? 0 : tp / d;
    });
  }
}
