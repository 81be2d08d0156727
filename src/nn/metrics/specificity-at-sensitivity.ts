import {
  type AtThresholdArgs,
  SensitivitySpecificityBase,
} from './sensitivity-specificity-base.js';

/**
 * The best specificity TN / (TN + FP) at a sensitivity (recall) of at least `sensitivity`.
 * Counts at numThresholds evenly spaced thresholds, as Keras.
 * `new SpecificityAtSensitivity({sensitivity: 0.8})`
 */
export class SpecificityAtSensitivity extends SensitivitySpecificityBase {
  static override className = 'SpecificityAtSensitivity';

  constructor(args: AtThresholdArgs & { sensitivity: number }) {
    super(
      'SpecificityAtSensitivity',
      args.sensitivity,
      'sensitivity',
      args,
      'specificity_at_sensitivity',
    );
  }

  /** The best specificity among the thresholds whose recall is at least sensitivity (0 when none is). */
  result(): number {
    const r = this.rates();
    return this.maxWhere(r.recall, r.specificity);
  }

  /** The options that rebuild this `SpecificityAtSensitivity` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), sensitivity: this.value };
  }
}
