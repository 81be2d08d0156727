import {
  type AtThresholdArgs,
  SensitivitySpecificityBase,
} from './sensitivity-specificity-base.js';

/**
 * The best sensitivity (recall) at a specificity TN / (TN + FP) of at least `specificity`.
 * Counts at numThresholds evenly spaced thresholds, as Keras.
 * `new SensitivityAtSpecificity({specificity: 0.8})`
 */
export class SensitivityAtSpecificity extends SensitivitySpecificityBase {
  static override className = 'SensitivityAtSpecificity';

  constructor(args: AtThresholdArgs & { specificity: number }) {
    super(
      'SensitivityAtSpecificity',
      args.specificity,
      'specificity',
      args,
      'sensitivity_at_specificity',
    );
  }

  /** The best recall among the thresholds whose specificity is at least specificity (0 when none is). */
  result(): number {
    const r = this.rates();
    return this.maxWhere(r.specificity, r.recall);
  }

  /** The options that rebuild this `SensitivityAtSpecificity` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), specificity: this.value };
  }
}
