import { Callback, type Logs } from './callback.js';
import { optimizerOf } from './monitor.js';

/**
 * Sets the learning rate at the start of each epoch from `schedule(epoch, currentRate)` (Keras's
 * LearningRateScheduler); logs the rate as 'learning_rate'.
 * `new LearningRateScheduler((epoch, lr) => (epoch < 10 ? lr : lr * Math.exp(-0.1)))`
 */
export class LearningRateScheduler extends Callback {
  constructor(
    /** Maps (0-based epoch, current learning rate) to the epoch's learning rate. */
    readonly schedule: (epoch: number, learningRate: number) => number,
    readonly options: { verbose?: number } = {},
  ) {
    super();
    if (typeof schedule !== 'function')
      throw new TypeError('LearningRateScheduler: schedule must be a function (epoch, lr) => lr');
  }

  /** Sets the optimizer's learning rate to `schedule(epoch, currentRate)`. */
  override onEpochBegin(epoch: number, _logs: Logs): void {
    const optimizer = optimizerOf('LearningRateScheduler', this.model);
    const lr = this.schedule(epoch, optimizer.learningRate);
    if (typeof lr !== 'number' || !(lr >= 0) || !Number.isFinite(lr)) {
      throw new TypeError(
        `LearningRateScheduler: the schedule must return a finite number >= 0, got ${String(lr)} at epoch ${epoch}`,
      );
    }
    optimizer.learningRate = lr;
    if ((this.options.verbose ?? 0) > 0)
      console.log(`\nEpoch ${epoch + 1}: LearningRateScheduler setting learning rate to ${lr}.`);
  }

  /** Logs the learning rate used as `learning_rate`. */
  override onEpochEnd(_epoch: number, logs: Logs): void {
    logs['learning_rate'] = optimizerOf('LearningRateScheduler', this.model).learningRate;
  }
}
