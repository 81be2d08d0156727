import { Tensor, type Variable } from '../tensor/tensor.js';
import type { Communicator, PendingCollective } from './communicator.js';

/** One allreduce: some weights' gradients, one presence flag per weight, then the sample count. */
interface Bucket {
  weights: number[];
  offsets: number[];
  flat: Float32Array;
  /** Which weights are in `flat` this step (kept apart: MPI writes `flat` while the step goes on). */
  delivered: Uint8Array;
  arrived: number;
  pending: PendingCollective | null;
}

/**
 * The default bucket size: a quarter of the gradients, within [64 KiB, 4 MiB]. At least two
 * buckets for all but the smallest models, so the last layers' allreduce starts while the first
 * layers' backward still runs (one bucket holding every gradient starts only at the end and hides
 * nothing); at most 4 MiB, so a large model's first allreduce starts early, while each bucket
 * stays large enough that the per-collective latency is small beside its transfer.
 */
export function autoBucketBytes(weights: readonly Variable[]): number {
  const bytes = weights.reduce((n, w) => n + w.size * 4, 0);
  return Math.min(4 << 20, Math.max(64 << 10, Math.ceil(bytes / 4)));
}

/** Per-step timings: seconds inside MPI, and seconds the training loop waited for it. */
export interface StepTiming {
  commSeconds: number;
  waitSeconds: number;
}

/**
 * Gradient averaging in buckets, as PyTorch DDP's Reducer: the weights are grouped, last layer
 * first (the backward pass produces their gradients first), into buckets of about `bucketBytes`;
 * each bucket's allreduce starts on the communicator thread as soon as its last gradient is final,
 * while the backward pass goes on. Buckets start strictly in order, so every rank issues the same
 * sequence of collectives whatever its data. Each rank adds n_r · g_r and its n_r, so the result
 * Σ n_r g_r / Σ n_r is the gradient of the mean loss over the global batch even when the replicas'
 * batches differ in size.
 */
export class GradientBuckets {
  private readonly buckets: Bucket[] = [];
  private readonly where = new Map<number, [bucket: number, slot: number]>();
  private next = 0;
  private samples = 0;
  private commAtStart = 0;
  last: StepTiming = { commSeconds: 0, waitSeconds: 0 };

  constructor(
    private readonly comm: Communicator,
    readonly weights: readonly Variable[],
    bucketBytes: number = autoBucketBytes(weights),
  ) {
    let current: { weights: number[]; offsets: number[]; size: number } | null = null;
    const close = () => {
      if (!current) return;
      const n = current.weights.length;
      this.buckets.push({
        weights: current.weights,
        offsets: current.offsets,
        flat: new Float32Array(current.size + n + 1),
        delivered: new Uint8Array(n),
        arrived: 0,
        pending: null,
      });
      current = null;
    };
    for (let i = weights.length - 1; i >= 0; i--) {
      current ??= { weights: [], offsets: [], size: 0 };
      this.where.set(weights[i]!.id, [this.buckets.length, current.weights.length]);
      current.weights.push(i);
      current.offsets.push(current.size);
      current.size += weights[i]!.size;
      if (current.size * 4 >= bucketBytes) close();
    }
    close();
  }

  /** Starts a step on `samples` local samples; returns the hook for `grad`'s onLeafGradient. */
  begin(samples: number): (leaf: Tensor, g: Tensor) => void {
    this.samples = samples;
    this.next = 0;
    this.commAtStart = this.comm.commSeconds;
    for (const b of this.buckets) {
      b.arrived = 0;
      b.pending = null;
      b.delivered.fill(0);
      b.flat.fill(0, b.flat.length - b.weights.length - 1);
      b.flat[b.flat.length - 1] = samples;
    }
    return (leaf, g) => {
      const at = this.where.get(leaf.id);
      if (at) this.put(at[0], at[1], g);
    };
  }

  /** Copies n · g into its bucket and starts every bucket that is complete, in order. */
  private put(bucket: number, slot: number, g: Tensor): void {
    const b = this.buckets[bucket]!;
    if (b.delivered[slot] === 1) return;
    const presence = b.flat.length - b.weights.length - 1 + slot;
    const src = g.data as Float32Array;
    const n = this.samples;
    const off = b.offsets[slot]!;
    for (let k = 0; k < src.length; k++) b.flat[off + k] = src[k]! * n;
    b.flat[presence] = 1;
    b.delivered[slot] = 1;
    b.arrived++;
    this.startReady();
  }

  private startReady(): void {
    while (this.next < this.buckets.length) {
      const b = this.buckets[this.next]!;
      if (b.arrived < b.weights.length) return;
      b.pending = this.comm.allreduceStart(b.flat, 'sum');
      this.next++;
    }
  }

  /**
   * Gradients the hook did not see (null, or produced without it) go in now and every remaining
   * bucket starts; collectives submitted after this run behind the gradients.
   */
  flush(local: readonly (Tensor | null)[]): void {
    for (const [b, bucket] of this.buckets.entries()) {
      bucket.weights.forEach((w, slot) => {
        if (bucket.delivered[slot] === 1) return;
        const g = local[w];
        if (g) this.put(b, slot, g);
        else {
          const off = bucket.offsets[slot]!;
          bucket.flat.fill(0, off, off + this.weights[w]!.size);
          bucket.delivered[slot] = 1;
          bucket.arrived++;
          this.startReady();
        }
      });
    }
  }

  /**
   * Ends the step after flush: awaits every bucket and returns Σ n_r g_r / Σ n_r per weight, null
   * where no rank had a gradient.
   */
  collect(): (Tensor | null)[] {
    const t0 = performance.now();
    const out: (Tensor | null)[] = this.weights.map(() => null);
    for (const bucket of this.buckets) {
      bucket.pending!.wait();
      const flat = bucket.flat;
      const flagsAt = flat.length - bucket.weights.length - 1;
      const total = flat[flat.length - 1]!;
      bucket.weights.forEach((w, slot) => {
        if (flat[flagsAt + slot] === 0 || total === 0) return;
        const v = this.weights[w]!;
        const off = bucket.offsets[slot]!;
        const data = new Float32Array(v.size);
        for (let k = 0; k < data.length; k++) data[k] = flat[off + k]! / total;
        out[w] = new Tensor(data, v.shape, 'float32');
      });
    }
    this.last = {
      commSeconds: this.comm.commSeconds - this.commAtStart,
      waitSeconds: (performance.now() - t0) / 1000,
    };
    return out;
  }
}
