import type { CompiledState } from '../models/compile.js';
import type { FitPosition } from '../models/fit.js';
import type { Model } from '../models/model.js';
import type { TrainingStrategy } from '../models/strategy.js';
import type { Tensor, Variable } from '../tensor/tensor.js';
import type { Communicator } from './communicator.js';
import { GradientBuckets, type StepTiming } from './gradient-buckets.js';
import { broadcastTrainingState, checkSameModel } from './sync-state.js';

/** Options of `DataParallel`. */
export interface DataParallelArgs {
  /** Gradients are averaged in allreduces of about this many bytes (default 1 MiB). */
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
  readonly bucketBytes: number;
  readonly overlap: boolean;
  private buckets: GradientBuckets | null = null;
  private stats = { steps: 0, commSeconds: 0, waitSeconds: 0 };

  constructor(
    readonly comm: Communicator,
    args: DataParallelArgs = {},
  ) {
    this.bucketBytes = args.bucketBytes ?? 1 << 20;
    if (!(Number.isInteger(this.bucketBytes) && this.bucketBytes > 0))
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

  reduceGradients(grads: readonly (Tensor | null)[]): (Tensor | null)[] {
    const out = this.buckets!.finish(grads);
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
    const trackers = [
      state.lossTracker,
      ...state.outputLossTrackers,
      ...(state.metrics ?? []).map((m) => m.metric),
    ];
    const saved = trackers.map((t) => t.stateValues());
    const sums = new Float64Array(saved.flat());
    this.comm.allreduce(sums, 'sum');
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

function sameList(a: readonly Variable[], b: readonly Variable[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
