import type { Tensor, Variable } from '../tensor/tensor.js';
import type { CompiledState } from './compile.js';
import type { FitPosition } from './fit.js';
import type { Model } from './model.js';

/**
 * The extension point of distributed training (`model.compile({..., strategy})`): the training
 * loop asks the strategy where it needs the other processes, and knows nothing else about them.
 * `src/distributed/` implements it with MPI (`distributed.init()`); without a strategy `fit` runs
 * alone. Every hook is collective: each replica calls it at the same point of the same loop.
 */
export interface TrainingStrategy {
  /** How many processes train together, and which one this is (0 is the chief). */
  readonly numReplicas: number;
  readonly replicaIndex: number;
  /** Only the chief prints progress and writes checkpoints and logs. */
  readonly isChief: boolean;
  /**
   * Start of `fit`: checks that every replica built the same model, then gives every replica the
   * chief's weights, optimizer state and resume point (returned).
   */
  begin(model: Model, resume: FitPosition | null): FitPosition | null;
  /** The epoch's sample order as the chief drew it. */
  syncOrder(order: Int32Array): Int32Array;
  /** This replica's rows [start, end) of a global batch of rows [start, end). */
  localRows(start: number, end: number): readonly [number, number];
  /**
   * Called before the backward pass of a step on `samples` local samples; returns the hook that
   * `grad` calls as each weight's gradient becomes final (so communication can start early).
   */
  beginStep(weights: readonly Variable[], samples: number): (leaf: Tensor, g: Tensor) => void;
  /**
   * Ends the step: the gradients averaged over every replica's samples (Σ n_r · g_r / Σ n_r), null
   * where no replica had one. With `logsOf`, the trackers' states (already updated with this
   * step) are summed over the replicas behind the gradients, for the next reduceLogs.
   */
  reduceGradients(grads: readonly (Tensor | null)[], logsOf?: CompiledState): (Tensor | null)[];
  /** The logs of the loss trackers and metrics summed over the replicas (identical on each). */
  reduceLogs(
    state: CompiledState,
    local: (state: CompiledState) => Record<string, number>,
  ): Record<string, number>;
  /**
   * True while every replica still has a batch: a Dataset loop ends its epoch when the shortest
   * shard ends, so no replica waits in an allreduce the others never join.
   */
  allHaveBatch(hasBatch: boolean): boolean;
}

/** False on the replicas of a distributed run other than the chief: they write no files. */
export function writesFiles(model: Model): boolean {
  return model.compiled?.strategy?.isChief ?? true;
}
