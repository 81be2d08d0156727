import type { Tensor } from '../../tensor/tensor.js';
import { reduceWeighted } from './reduce-weighted.js';

/**
 * The base of every loss: `call` gives one loss value per sample; `compute` reduces them to the
 * scalar that training minimises (the weighted mean over the batch, Keras's 'sum_over_batch_size').
 */
export abstract class Loss {
  static className = 'Loss';
  constructor(readonly name: string) {}

  /** Per-sample losses, shape [batch] (or [batch, ...] for losses that keep more axes). */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  /**
   * The scalar loss: Σ per-sample loss × sampleWeight divided by the number of per-sample values
   * (not by the sum of the weights). `sampleWeight` is [batch] (or the per-sample losses' shape).
   */
  compute(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor {
    return reduceWeighted(this.name, this.call(yTrue, yPred), sampleWeight);
  }

  /**
   * The options that rebuild this loss with its class's `fromConfig` (what serialization saves).
   */
  abstract getConfig(): Record<string, unknown>;
}
