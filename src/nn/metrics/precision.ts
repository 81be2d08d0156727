import { ConfusionMetric, type ConfusionMetricArgs } from './confusion-metric.js';

/**
 * True positives / (true positives + false positives), 0 before any positive prediction.
 * `new Precision({thresholds: 0.5, classId: 2})`
 */
export class Precision extends ConfusionMetric {
  static override className = 'Precision';

  constructor(args: ConfusionMetricArgs = {}) {
    super(args, 'precision');
  }

  /** True positives / (true + false positives), 0 when nothing was predicted positive. */
  result(): number {
    const d = this.truePositives + this.falsePositives;
    return d === 0 ? 0 : this.truePositives / d;
  }
}
