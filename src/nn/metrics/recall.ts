import { ConfusionMetric, type ConfusionMetricArgs } from './confusion-metric.js';

/**
 * True positives / (true positives + false negatives), 0 before any positive label.
 * `new Recall({thresholds: 0.5})`
 */
export class Recall extends ConfusionMetric {
  static override className = 'Recall';

  constructor(args: ConfusionMetricArgs = {}) {
    super(args, 'recall');
  }

  /** True positives / (true positives + false negatives), 0 when there was no positive label. */
  result(): number {
    const d = this.truePositives + this.falseNegatives;
    return d === 0 ? 0 : this.truePositives / d;
  }
}
