import {
  type AtThresholdArgs,
  SensitivitySpecificityBase,
} from './sensitivity-specificity-base.js';

/**
 * The best precision at a recall of at least `recall`: max over thresholds with recall >= recall.
 * Counts at numThresholds evenly spaced thresholds, as Keras.
 * `new PrecisionAtRecall({recall: 0.8})`
 */
export class PrecisionAtRecall extends SensitivitySpecificityBase {
  static override className = 'PrecisionAtRecall';

  constructor(args: AtThresholdArgs & { recall: number }) {
    super('PrecisionAtRecall', args.recall, 'recall', args, 'precision_at_recall');
  }

  /** The best precision among the thresholds whose recall is at least recall (0 when none is). */
  result(): number {
    const r = this.rates();
    return this.maxWhere(r.recall, r.precision);
  }

  /** The options that rebuild this `PrecisionAtRecall` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), recall: this.value };
  }
}
