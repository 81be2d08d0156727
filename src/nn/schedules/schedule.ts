/** A learning rate as a function of the optimizer step (Keras's LearningRateSchedule). */
export abstract class LearningRateSchedule {
  static className = 'LearningRateSchedule';
  /** The learning rate at step `step` (0-based). */
  abstract at(step: number): number;
  abstract getConfig(): Record<string, unknown>;
}
