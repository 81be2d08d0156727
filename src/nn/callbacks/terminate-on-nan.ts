import { Callback, type Logs } from './callback.js';

/**
 * Stops training when a batch's loss is NaN or ±Infinity (Keras's TerminateOnNaN): sets
 * `model.stopTraining` so `fit` ends after that batch and still calls every `onTrainEnd`; with
 * `raiseError` it throws instead, skipping them. `batch` and `loss` record where it stopped.
 * `await model.fit(x, y, {callbacks: [new TerminateOnNaN()]})`
 */
export class TerminateOnNaN extends Callback {
  readonly raiseError: boolean;
  /** The epoch and batch whose loss was not finite, and that loss; null while training is sound. */
  stoppedAt: { epoch: number; batch: number; loss: number } | null = null;
  private epoch = 0;

  constructor(options: { raiseError?: boolean } = {}) {
    super();
    this.raiseError = options.raiseError ?? false;
  }

  override onTrainBegin(_logs: Logs): void {
    this.stoppedAt = null;
  }

  override onEpochBegin(epoch: number, _logs: Logs): void {
    this.epoch = epoch;
  }

  override onTrainBatchEnd(batch: number, logs: Logs): void {
    const loss = logs['loss'];
    if (loss === undefined || Number.isFinite(loss)) return;
    this.stoppedAt = { epoch: this.epoch, batch, loss };
    if (this.raiseError)
      throw new Error(
        `TerminateOnNaN: NaN or Inf loss encountered at batch ${batch}. Loss value: ${loss}. Terminating training immediately.`,
      );
    console.log(`Batch ${batch}: Invalid loss, terminating training`);
    if (this.model) this.model.stopTraining = true;
  }
}
