import {
  type AtThresholdArgs,
  SensitivitySpecificityBase,
} from './sensitivity-specificity-base.js';

/**
 * The best recall at a precision of at least `precision`: max over thresholds with precision >= precision.
 * Counts at numThresholds evenly spaced thresholds, as Keras.
 * `new RecallAtPrecision({precision: 0.8})`
 */
export class RecallAtPrecision extends SensitivitySpecificityBase {
  static override className = 'RecallAtPrecision';

  constructor(args: AtThresholdArgs & { precision: number }) {
    super('RecallAtPrecision', args.precision, 'precision', args, 'recall_at_precision');
  }

  /** The best recall among the thresholds whose precision is at least precision (0 when none is). */
  result(): number {
    const r = this.rates();
    return this.maxWhere(r.precision, r.recall);
  }

  /** The options that rebuild this `RecallAtPrecision` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), precision: this.value };
  }
}
