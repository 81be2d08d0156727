import type { Tensor } from '../../tensor/tensor.js';

/** A stateful metric (Keras's Metric): accumulate batches with `updateState`, read `result()`. */
export abstract class Metric {
  static className = 'Metric';
  constructor(public name: string) {}
  abstract updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void;
  abstract result(): number;
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
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
