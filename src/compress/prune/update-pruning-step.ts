import type { Model } from '../../models/model.js';
import { Callback } from '../../nn/callbacks/callback.js';
import { type PruningHandle, pruningHandle } from './prune-low-magnitude.js';

/**
 * The callback that prunes during `fit` (tfmot's UpdatePruningStep): before each batch, when the
 * schedule says so, it recomputes the masks by magnitude; after each optimizer step it re-applies
 * them, so pruned weights (and their optimizer slots) stay exactly 0.
 * `await model.fit(x, y, { callbacks: [new UpdatePruningStep()] })`
 */
export class UpdatePruningStep extends Callback {
  private handle: PruningHandle | null = null;

  /** Finds the model's pruning state; fails when `pruneLowMagnitude` was not applied. */
  override onTrainBegin(): void {
    const model = this.model as Model | null;
    const handle = model ? pruningHandle(model) : undefined;
    if (!model || !handle) {
      throw new Error(
        `UpdatePruningStep: model '${model?.name ?? '?'}' is not being pruned; call pruneLowMagnitude(model, {...}) first`,
      );
    }
    this.handle = handle;
  }

  /** Recomputes the masks when the schedule says so at this step. */
  override onTrainBatchBegin(): void {
    const h = this.handle!;
    const { shouldPrune, sparsity } = h.schedule.at(h.step);
    if (shouldPrune) h.updateMasks(sparsity);
  }

  /** Zeroes the pruned weights again and advances the step. */
  override onTrainBatchEnd(): void {
    const h = this.handle!;
    h.applyMasks();
    h.step++;
  }
}
