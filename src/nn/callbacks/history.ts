import { Callback, type CallbackState, type Logs } from './callback.js';

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

  override getState(): CallbackState {
    return { values: { epoch: this.epoch, history: this.history } };
  }

  override setState(state: CallbackState): void {
    const { epoch, history } = state.values;
    const numbers = (a: unknown) => Array.isArray(a) && a.every((n) => typeof n === 'number');
    if (
      !numbers(epoch) ||
      typeof history !== 'object' ||
      history === null ||
      !Object.values(history).every(numbers)
    )
      throw new TypeError(
        'History.setState: expected {epoch: number[], history: {name: number[]}}',
      );
    this.epoch = [...(epoch as number[])];
    this.history = Object.fromEntries(
      Object.entries(history as Record<string, number[]>).map(([k, v]) => [k, [...v]]),
    );
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [k, v] of Object.entries(logs)) {
      if (!Object.hasOwn(this.history, k)) this.history[k] = [];
      this.history[k]!.push(v);
    }
  }
}
