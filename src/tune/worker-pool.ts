/**
 * Trial workers on child processes: each is forked once, receives the build module and the data,
 * then runs one trial at a time. The running trials share the cores: each busy worker's native
 * thread pool gets max(1, floor(cores / busy workers)) threads, recomputed whenever a trial starts
 * or ends, so a trial left running alone (the search's last, or one a Hyperband rung waits for)
 * gets every core, and the workers never oversubscribe them. A KEEL_NUM_THREADS set by the user
 * fixes every worker's count instead.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { encodeElement } from '../data/dataset/codec.js';
import type { DataInput } from '../models/data-adapter.js';
import type { BuildRef } from './build-ref.js';
import {
  type EpochHook,
  type TrialFitArgs,
  TrialInterrupted,
  type TrialJob,
  type TrialOutcome,
} from './trial-runner.js';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';

/** Runs trials: in this process (one at a time) or on worker processes. */
export interface TrialExecutor {
  /** Trials that can run at once. */
  readonly slots: number;
  /** Trains a trial; when `signal` aborts it ends after its current batch with `TrialInterrupted`. */
  run(job: TrialJob, onEpoch: EpochHook, signal?: AbortSignal): Promise<TrialOutcome>;
  close(): Promise<void>;
}

/** The worker entry: worker.ts under tsx (a checkout), worker.js when compiled. */
function workerFile(): { file: string; execArgv: string[] } {
  const ts = fileURLToPath(new URL('./worker.ts', import.meta.url));
  if (import.meta.url.endsWith('.ts') && existsSync(ts)) {
    const hasTsx = process.execArgv.some((a) => a.includes('tsx'));
    return {
      file: ts,
      execArgv: hasTsx
        ? process.execArgv
        : [...process.execArgv, '--import', import.meta.resolve('tsx')],
    };
  }
  return {
    file: fileURLToPath(new URL('./worker.js', import.meta.url)),
    execArgv: process.execArgv,
  };
}

/** The native threads each of `workers` processes gets. */
export function threadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, workers)));
}

interface Slot {
  child: ChildProcess;
  busy: boolean;
  /** The native threads the worker was last told to use. */
  threads: number;
  /** Fails the running trial when the process dies. */
  onExit: ((error: Error) => void) | null;
}

export class WorkerPool implements TrialExecutor {
  private readonly workers: Slot[] = [];

  private constructor(
    readonly slots: number,
    /** The cores the busy workers share; null when KEEL_NUM_THREADS fixes the threads. */
    private readonly cores: number | null,
  ) {}

  /** Gives each busy worker its share of the cores (told only when it changes). */
  private rebalance(): void {
    if (this.cores === null) return;
    const busy = this.workers.filter((w) => w.busy);
    const threads = threadsPerWorker(busy.length, this.cores);
    for (const w of busy)
      if (w.threads !== threads && w.child.connected) {
        w.threads = threads;
        w.child.send({ type: 'threads', threads } satisfies ParentMessage);
      }
  }

  /** Forks `n` workers and waits until each has loaded the build module and the data. */
  static async start(
    n: number,
    build: BuildRef,
    data: { x: DataInput; y: DataInput; validationData?: readonly [DataInput, DataInput] },
    fit: Omit<TrialFitArgs, 'callbacks' | 'validationData'>,
  ): Promise<WorkerPool> {
    const fixed = process.env['KEEL_NUM_THREADS'];
    const pool = new WorkerPool(n, fixed ? null : availableParallelism());
    const { file, execArgv } = workerFile();
    const threads = fixed ? undefined : String(threadsPerWorker(n));
    const init: ParentMessage = { type: 'init', build, data: encodeElement(data), fit };
    try {
      await Promise.all(
        Array.from({ length: n }, async () => {
          const child = fork(file, [], {
            execArgv,
            serialization: 'advanced',
            env: { ...process.env, ...(threads ? { KEEL_NUM_THREADS: threads } : {}) },
            stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
          });
          const slot: Slot = { child, busy: false, threads: Number(threads ?? 0), onExit: null };
          pool.workers.push(slot);
          child.on('exit', (code, signal) =>
            slot.onExit?.(
              new Error(`Tuner: worker process ${child.pid} exited (${signal ?? `code ${code}`})`),
            ),
          );
          await new Promise<void>((resolve, reject) => {
            slot.onExit = reject;
            child.on('message', function ready(m: WorkerMessage) {
              if (m.type === 'ready') {
                child.off('message', ready);
                slot.onExit = null;
                resolve();
              } else if (m.type === 'fatal')
                reject(new Error(`Tuner: a worker could not start: ${m.message}`));
            });
            child.send(init);
          });
        }),
      );
    } catch (e) {
      await pool.close();
      throw e;
    }
    return pool;
  }

  run(job: TrialJob, onEpoch: EpochHook, signal?: AbortSignal): Promise<TrialOutcome> {
    const slot = this.workers.find((w) => !w.busy);
    if (!slot) throw new Error('WorkerPool: every worker is busy');
    slot.busy = true;
    this.rebalance();
    const { child } = slot;
    return new Promise<TrialOutcome>((resolve, reject) => {
      // An error in onEpoch stops the trial; it is reported once the worker has ended it.
      let failure: unknown = null;
      const onAbort = () => {
        if (child.connected) child.send({ type: 'abort' } satisfies ParentMessage);
      };
      const finish = () => {
        slot.busy = false;
        slot.onExit = null;
        child.off('message', listener);
        signal?.removeEventListener('abort', onAbort);
        this.rebalance();
      };
      const listener = (m: WorkerMessage) => {
        if (m.type === 'epoch' && m.number === job.number) {
          Promise.resolve()
            .then(() => onEpoch(m.step, m.logs))
            .catch((e: unknown) => {
              failure = e;
              return true;
            })
            .then((stop) => child.send({ type: 'decision', stop } satisfies ParentMessage));
        } else if (m.type === 'done' && m.number === job.number) {
          finish();
          if (failure) reject(failure);
          else resolve(m.outcome);
        } else if (m.type === 'interrupted' && m.number === job.number) {
          finish();
          reject(new TrialInterrupted(`Tuner: trial ${job.number} was interrupted`));
        } else if ((m.type === 'error' && m.number === job.number) || m.type === 'fatal') {
          finish();
          reject(failure ?? new Error(m.message));
        }
      };
      slot.onExit = (e) => {
        finish();
        reject(e);
      };
      child.on('message', listener);
      child.send({ type: 'trial', job } satisfies ParentMessage);
      if (signal?.aborted) onAbort();
      else signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
            w.child.once('exit', () => resolve());
            w.child.disconnect();
            setTimeout(() => w.child.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
  }
}
