import type { CompiledState } from '../models/compile.js';
import type { FitPosition } from '../models/fit.js';
import type { Model } from '../models/model.js';
import type { TrainingStrategy } from '../models/strategy.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import type { Communicator, PendingCollective } from './communicator.js';
import { GradientBuckets, type StepTiming } from './gradient-buckets.js';
import { broadcastTrainingState, checkSameModel } from './sync-state.js';

/** Options of `DataParallel`. */
export interface DataParallelArgs {
  /** Gradients are averaged in allreduces of about this many bytes (default: a quarter of the
   * gradients, within [64 KiB, 4 MiB]; see autoBucketBytes). */
  bucketBytes?: number;
  /** Start each bucket's allreduce during the backward pass (default true); false waits for all gradients. */
  overlap?: boolean;
}

/** Communication of the training steps so far: what the overlap hid, for benchmarks and logs. */
export interface CommStats {
  steps: number;
  /** Seconds inside MPI for gradient allreduces (on the communicator thread). */
  commSeconds: number;
  /** Seconds the training loop waited for them after its backward pass. */
  waitSeconds: number;
  /** 1 − wait / comm: the fraction of communication hidden behind the backward pass. */
  hiddenFraction: number;
}

/**
 * Synchronous data parallelism (Horovod, PyTorch DDP): every process holds the whole model, trains
 * on its own rows of each global batch (batchSize rows per process) and averages gradients by
 * allreduce, so all replicas apply the same update. `model.compile({..., strategy: distributed.init()})`
 */
export class DataParallel implements TrainingStrategy {
  /** undefined: autoBucketBytes of the model's weights. */
  readonly bucketBytes: number | undefined;
  readonly overlap: boolean;
  private buckets: GradientBuckets | null = null;
  private stats = { steps: 0, commSeconds: 0, waitSeconds: 0 };
  /** The trackers' sums started behind the last step's gradients; the next reduceLogs takes them. */
  private logs: { local: number[]; sums: Float64Array; pending: PendingCollective } | null = null;

  constructor(
    readonly comm: Communicator,
    args: DataParallelArgs = {},
  ) {
    this.bucketBytes = args.bucketBytes;
    if (
      this.bucketBytes !== undefined &&
      !(Number.isInteger(this.bucketBytes) && this.bucketBytes > 0)
    )
      throw new RangeError(
        `DataParallel: bucketBytes must be a positive integer, got ${this.bucketBytes}`,
      );
    this.overlap = args.overlap ?? true;
  }

  get numReplicas(): number {
    return this.comm.size;
  }
  get replicaIndex(): number {
    return this.comm.rank;
  }
  get isChief(): boolean {
    return this.comm.rank === 0;
  }

  begin(model: Model, resume: FitPosition | null): FitPosition | null {
    checkSameModel(this.comm, model);
    return broadcastTrainingState(this.comm, model, resume);
  }

  syncOrder(order: Int32Array): Int32Array {
    const lengths = this.comm.allgather(new Int32Array([order.length]));
    const differ = [...lengths].flatMap((n, r) => (n === lengths[0] ? [] : [`rank ${r}: ${n}`]));
    if (differ.length > 0) {
      throw new Error(
        `distributed fit: the ranks have different numbers of training samples (rank 0: ${lengths[0]}, ${differ.join(', ')}); give fit the same arrays on every rank (each trains its own rows of every global batch), or a dataset.shard(numReplicas, rank)`,
      );
    }
    const synced = this.comm.rank === 0 ? order : new Int32Array(order.length);
    this.comm.broadcast(synced, 0);
    return synced;
  }

  localRows(start: number, end: number): readonly [number, number] {
    const n = this.comm.size;
    const r = this.comm.rank;
    const count = end - start;
    const base = Math.floor(count / n);
    const extra = count % n;
    const from = start + r * base + Math.min(r, extra);
    return [from, from + base + (r < extra ? 1 : 0)];
  }

  beginStep(weights: readonly Variable[], samples: number): (leaf: Tensor, g: Tensor) => void {
    if (!this.buckets || !sameList(this.buckets.weights, weights)) {
      this.buckets = new GradientBuckets(this.comm, [...weights], this.bucketBytes);
    }
    const hook = this.buckets.begin(samples);
    return this.overlap ? hook : () => {};
  }

  reduceGradients(grads: readonly (Tensor | null)[], logsOf?: CompiledState): (Tensor | null)[] {
    this.buckets!.flush(grads);
    // The step's loss and metric sums ride behind the gradients: the next reduceLogs (the batch's
    // logs, right after this step) finds them summed instead of synchronizing the ranks again.
    this.logs?.pending.wait(); // no reduceLogs took the last step's sums
    this.logs = null;
    if (logsOf) {
      const local = trackersOf(logsOf).flatMap((t) => t.stateValues());
      const sums = new Float64Array(local);
      this.logs = { local, sums, pending: this.comm.allreduceStart(sums, 'sum', true) };
    }
    const out = this.buckets!.collect();
    const t: StepTiming = this.buckets!.last;
    this.stats.steps++;
    this.stats.commSeconds += t.commSeconds;
    this.stats.waitSeconds += t.waitSeconds;
    return out;
  }

  reduceLogs(
    state: CompiledState,
    local: (state: CompiledState) => Record<string, number>,
  ): Record<string, number> {
    const trackers = trackersOf(state);
    const saved = trackers.map((t) => t.stateValues());
    const flat = saved.flat();
    let sums: Float64Array;
    const early = this.logs;
    this.logs = null;
    if (early) early.pending.wait(); // every rank started it: every rank waits for it
    // Every rank took the same path since the step (the same loop, the same callbacks), so if one
    // rank's trackers are unchanged, all are, and either all use the early sums or all reduce anew.
    if (early && early.local.length === flat.length && early.local.every((v, i) => v === flat[i]))
      sums = early.sums;
    else {
      sums = new Float64Array(flat);
      this.comm.allreduce(sums, 'sum');
    }
    let at = 0;
    for (const [i, t] of trackers.entries()) {
      t.setStateValues(sums.subarray(at, at + saved[i]!.length) as unknown as number[]);
      at += saved[i]!.length;
    }
    try {
      return local(state);
    } finally {
      for (const [i, t] of trackers.entries()) t.setStateValues(saved[i]!);
    }
  }

  allHaveBatch(hasBatch: boolean): boolean {
    const flag = new Int32Array([hasBatch ? 1 : 0]);
    this.comm.allreduce(flag, 'min');
    return flag[0] === 1;
  }

  /** Gradient communication so far, and the fraction the overlap hid. */
  commStats(): CommStats {
    const { steps, commSeconds, waitSeconds } = this.stats;
    const hidden = commSeconds > 0 ? Math.min(1, Math.max(0, 1 - waitSeconds / commSeconds)) : 0;
    return { steps, commSeconds, waitSeconds, hiddenFraction: hidden };
  }

  /** Zeroes the communication statistics. */
  resetCommStats(): void {
    this.stats = { steps: 0, commSeconds: 0, waitSeconds: 0 };
  }
}

/** The loss trackers and metrics whose states the logs are made of, in a fixed order. */
function trackersOf(state: CompiledState) {
  return [
    state.lossTracker,
    ...state.outputLossTrackers,
    ...(state.metrics ?? []).map((m) => m.metric),
  ];
}

function sameList(a: readonly Variable[], b: readonly Variable[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
