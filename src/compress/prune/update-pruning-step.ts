import type { Model } from '../../models/model.js';
import { Callback, type CallbackState, countOf } from '../../nn/callbacks/callback.js';
import { Tensor } from '../../tensor/tensor.js';
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

  /** The step count and the masks, so that a run resumed from a backup prunes on as before. */
  override getState(): CallbackState | null {
    const h = this.handle;
    if (!h) return null;
    return {
      values: { step: h.step },
      tensors: h.masks.map((m) => new Tensor(m.slice(), [m.length], 'uint8')),
    };
  }

  /** Restores the step and the masks of `getState` (after onTrainBegin found the handle). */
  override setState(state: CallbackState): void {
    const h = this.handle;
    if (!h) throw new Error('UpdatePruningStep.setState: called before onTrainBegin');
    const masks = state.tensors ?? [];
    if (
      masks.length !== h.masks.length ||
      masks.some((t, i) => t.dtype !== 'uint8' || t.size !== h.masks[i]!.length)
    ) {
      throw new Error(
        `UpdatePruningStep.setState: expected ${h.masks.length} uint8 masks of sizes [${h.masks.map((m) => m.length).join(', ')}], got [${masks.map((t) => `${t.dtype} ${t.size}`).join(', ')}]`,
      );
    }
    h.step = countOf(state.values['step'], 'UpdatePruningStep', 'step');
    masks.forEach((t, i) => {
      h.masks[i]!.set(t.data as Uint8Array);
    });
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
