import type { Tensor } from '../../tensor/tensor.js';

/**
 * The base of every loss: `call` gives one loss value per sample; `compute` reduces them to the
 * scalar that training minimises (the weighted mean over the batch, Keras's 'sum_over_batch_size').
 */
export abstract class Loss {
  static className = 'Loss';
  constructor(readonly name: string) {}

  /** Per-sample losses, shape [batch] (or [batch, ...] for losses that keep more axes). */
  abstract call(yTrue: Tensor, yPred: Tensor): Tensor;

  /** The scalar loss: mean over all per-sample values, weighted by `sampleWeight` ([batch]) if given. */
  abstract compute(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Tensor;

  abstract getConfig(): Record<string, unknown>;
}
