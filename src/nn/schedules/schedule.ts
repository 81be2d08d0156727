/** A learning rate as a function of the optimizer step (Keras's LearningRateSchedule). */
export abstract class LearningRateSchedule {
  static className = 'LearningRateSchedule';
  /** The learning rate at step `step` (0-based). */
  abstract at(step: number): number;
  /** The options that rebuild this schedule by its class name (what serialization saves). */
  abstract getConfig(): Record<string, unknown>;
}
