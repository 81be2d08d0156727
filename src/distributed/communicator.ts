import { writeSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { setNumThreads } from '../backends/native/index.js';
import {
  type CommBuffer,
  type MpiBinding,
  mpiBinding,
  REDUCE_OPS,
  type ReduceOp,
} from './binding.js';
import { requireLauncher } from './launcher-env.js';

/** Options of `distributed.init`. */
export interface InitArgs {
  /** A collective that has not completed after this many seconds ends the job naming the rank
   * (default KEEL_COLLECTIVE_TIMEOUT, else 300). */
  timeoutSeconds?: number;
}

/** An allreduce running on the communicator thread; `wait()` blocks until it is done. */
export interface PendingCollective {
  /** Blocks until the collective has completed. */
  wait(): void;
}

const TYPED = [Float32Array, Float64Array, Int32Array, Uint8Array];

function checkBuffer(op: string, name: string, buf: unknown, reduce: boolean): CommBuffer {
  const ok = reduce ? TYPED.slice(0, 3) : TYPED;
  if (!ok.some((T) => buf instanceof T)) {
    throw new TypeError(
      `distributed.${op}: ${name} must be a ${ok.map((T) => T.name).join(', ')}; got ${buf?.constructor?.name ?? typeof buf}`,
    );
  }
  return buf as CommBuffer;
}

/**
 * The process group of an MPI job (MPI_COMM_WORLD): rank, size, local rank, and collectives on
 * typed arrays in place. Every collective must be called by every rank in the same order; one
 * that does not complete within the timeout throws an error naming this rank.
 */
export class Communicator {
  readonly rank: number;
  readonly size: number;
  /** Rank among the processes on this machine, and how many there are. */
  readonly localRank: number;
  readonly localSize: number;
  /** The MPI library's version string. */
  readonly library: string;
  readonly timeoutMs: number;
  /** Seconds spent inside MPI by collectives so far (on the communicator thread). */
  commSeconds = 0;
  private readonly mpi: MpiBinding;

  constructor(args: InitArgs = {}) {
    requireLauncher('distributed.init');
    const env = Number(process.env['KEEL_COLLECTIVE_TIMEOUT']);
    const seconds = args.timeoutSeconds ?? (env > 0 ? env : 300);
    if (!(seconds > 0))
      throw new RangeError(`distributed.init: timeoutSeconds must be > 0, got ${seconds}`);
    this.timeoutMs = seconds * 1000;
    this.mpi = mpiBinding();
    const w = this.mpi.init();
    this.rank = w.rank;
    this.size = w.size;
    this.localRank = w.localRank;
    this.localSize = w.localSize;
    this.library = w.library;
    // MPI_Finalize after a clean exit; after an error, MPI_Abort ends every rank at once (the
    // launcher names this one) instead of leaving them waiting in a collective.
    // Node prints an uncaught error after the 'exit' handlers, which abort: print it first.
    process.on('uncaughtExceptionMonitor', (e) => {
      const text = e instanceof Error ? (e.stack ?? e.message) : String(e);
      writeSync(2, `keel distributed: rank ${this.rank} of ${this.size} failed: ${text}\n`);
    });
    process.on('exit', (code) => {
      if (code === 0) this.mpi.finalize();
      else this.mpi.abort(code);
    });
  }

  /** In place: buf = Σ (or mean, max, min) over the ranks of buf. */
  allreduce(buf: Float32Array | Float64Array | Int32Array, op: ReduceOp = 'sum'): void {
    this.checkOp(op);
    checkBuffer('allreduce', 'buffer', buf, true);
    this.commSeconds += this.mpi.allreduce(buf, REDUCE_OPS[op], this.timeoutMs);
  }

  /**
   * Starts an allreduce on the communicator thread and returns at once; buf must not be touched
   * until wait(). `chained`: every rank starts it right behind its previous collective, so it
   * skips the wait for the other ranks to arrive (see KEEL_MPI_WAIT in ARCHITECTURE.md); it must
   * be the same on every rank.
   */
  allreduceStart(
    buf: Float32Array | Float64Array | Int32Array,
    op: ReduceOp = 'sum',
    chained = false,
  ): PendingCollective {
    this.checkOp(op);
    checkBuffer('allreduceStart', 'buffer', buf, true);
    const handle = this.mpi.allreduceStart(buf, REDUCE_OPS[op], chained);
    let done = false;
    return {
      wait: () => {
        if (done) return;
        this.commSeconds += this.mpi.wait(handle, this.timeoutMs);
        done = true;
      },
    };
  }

  /** In place: every rank's buf becomes root's. */
  broadcast(buf: CommBuffer, root = 0): void {
    checkBuffer('broadcast', 'buffer', buf, false);
    if (!(Number.isInteger(root) && root >= 0 && root < this.size))
      throw new RangeError(
        `distributed.broadcast: root must be a rank in [0, ${this.size}), got ${root}`,
      );
    this.commSeconds += this.mpi.broadcast(buf, root, this.timeoutMs);
  }

  /** Every rank's `send`, in rank order, in one array of size · send.length (of send's type). */
  allgather<T extends CommBuffer>(send: T): T {
    checkBuffer('allgather', 'send', send, false);
    const recv = new (send.constructor as new (n: number) => T)(send.length * this.size);
    this.commSeconds += this.mpi.allgather(send, recv, this.timeoutMs);
    return recv;
  }

  /** Waits until every rank has called barrier. */
  barrier(): void {
    this.commSeconds += this.mpi.barrier(this.timeoutMs);
  }

  private checkOp(op: string): void {
    if (!Object.hasOwn(REDUCE_OPS, op))
      throw new RangeError(
        `distributed.allreduce: op must be one of ${Object.keys(REDUCE_OPS).join(', ')}; got '${op}'`,
      );
  }
}

let world: Communicator | null = null;

/** Joins the MPI job (once per process) and shares the cores among its local ranks. */
export function initCommunicator(args: InitArgs = {}): Communicator {
  if (world) return world;
  world = new Communicator(args);
  // One process per core group: without KEEL_NUM_THREADS, the ranks on a machine split its cores.
  if (!process.env['KEEL_NUM_THREADS']) {
    setNumThreads(Math.max(1, Math.floor(availableParallelism() / world.localSize)));
  }
  return world;
}

/** The communicator of this process, or throws when init() has not run. */
export function communicator(): Communicator {
  if (!world) throw new Error('distributed: call distributed.init() first');
  return world;
}
