import type { Tensor } from '../../tensor/tensor.js';

/** A stateful metric (Keras's Metric): accumulate batches with `updateState`, read `result()`. */
export abstract class Metric {
  static className = 'Metric';
  constructor(public name: string) {}
  /**
   * Accumulates one batch of labels `yTrue` and predictions `yPred` (optionally weighted per
   * sample).
   */
  abstract updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void;
  /** The metric's value over everything accumulated since the last reset. */
  abstract result(): number;
  /** Forgets everything accumulated (start of an epoch or evaluation). */
  abstract resetState(): void;
  /**
   * The state as numbers that add up across processes (counts and weighted sums), so distributed
   * training can sum them; a metric whose state does not add up keeps this default, which throws.
   */
  stateValues(): number[] {
    throw new Error(
      `${this.name}: this metric's state cannot be summed across processes (it has no stateValues)`,
    );
  }
  /** Restores the numbers `stateValues` gave. */
  setStateValues(_values: readonly number[]): void {
    throw new Error(`${this.name}: this metric's state cannot be set (it has no setStateValues)`);
  }
  /** The options that rebuild this `Metric` with `fromConfig` (what serialization saves). */
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
