import type { Tensor } from '../../tensor/tensor.js';

/** A stateful metric (Keras's Metric): accumulate batches with `updateState`, read `result()`. */
export abstract class Metric {
  static className = 'Metric';
  constructor(public name: string) {}
  abstract updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void;
  abstract result(): number;
  abstract resetState(): void;
  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
