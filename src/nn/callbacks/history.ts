import { Callback, type Logs } from './callback.js';

/**
 * Records the logs of every epoch: `history.history['loss'][e]`, `history.history['val_accuracy']`.
 * `fit` always adds one and resolves to it.
 */
export class History extends Callback {
  /** Per log name, one value per epoch. */
  history: Record<string, number[]> = {};
  /** The epoch indices recorded (starting at fit's initialEpoch). */
  epoch: number[] = [];

  override onTrainBegin(_logs: Logs): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      if (!Object.hasOwn(this.history, k)) this.history[k] = [];
      this.history[k]!.push(v);
    }
  }
}
