/**
 * The inference worker threads (piscina): a fixed number of threads, each running
 * inference-worker.ts. A thread that dies (an uncaught error, a terminate) is replaced by
 * piscina; the tasks it held reject, and the server answers their requests with 500 and the
 * reason, never a hang.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { MessagePort, Worker } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type {
  GenerateResult,
  GenerateTask,
  PredictBodiesResult,
  PredictBodiesTask,
  TaskFailure,
} from './wire.js';

const here = dirname(fileURLToPath(import.meta.url));
/** bin/keel-serve-worker.mjs: from src/serve/inference or dist/serve/inference. */
const ENTRY = join(here, '..', '..', '..', 'bin', 'keel-serve-worker.mjs');

/** The error of a task that failed: `status` is the HTTP status its request gets. */
export class InferenceError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'InferenceError';
  }
}

/**
 * Native kernel threads per inference worker: the cores left once the event loop has one, shared
 * among the workers. The event loop (HTTP, JSON) is a serving process's busiest thread; kernels
 * that spread over every core would fight it (on 2 cores, 2 kernel threads served the seed CNN
 * at a third less throughput than 1).
 */
export function kernelThreadsPerWorker(workers: number, cores = availableParallelism()): number {
  return Math.max(1, Math.floor((cores - 1) / workers));
}

export class WorkerPool {
  private readonly pool: Piscina;
  readonly size: number;

  /** `threads`: native kernel threads per worker (default: KEEL_NUM_THREADS, else kernelThreadsPerWorker). */
  constructor(size = Math.max(1, Math.floor(availableParallelism() / 2)), threads?: number) {
    this.size = size;
    const env = process.env['KEEL_NUM_THREADS'];
    const kernelThreads = threads ?? (env ? undefined : kernelThreadsPerWorker(size));
    this.pool = new Piscina({
      filename: ENTRY,
      minThreads: size,
      maxThreads: size,
      idleTimeout: Number.POSITIVE_INFINITY,
      recordTiming: false,
      env: {
        ...process.env,
        ...(kernelThreads ? { KEEL_NUM_THREADS: String(kernelThreads) } : {}),
      },
    });
  }

  /** `task.bodies` is transferred (it must own its whole buffer). */
  predictBodies(task: PredictBodiesTask): Promise<PredictBodiesResult> {
    return this.run(task, [task.bodies.buffer as ArrayBuffer]) as Promise<PredictBodiesResult>;
  }

  generate(task: GenerateTask): Promise<GenerateResult> {
    return this.run(task, task.port ? [task.port] : []) as Promise<GenerateResult>;
  }

  private async run(
    task: PredictBodiesTask | GenerateTask,
    transferList: (ArrayBuffer | MessagePort)[],
  ): Promise<PredictBodiesResult | GenerateResult> {
    let result: PredictBodiesResult | GenerateResult | TaskFailure;
    try {
      result = await this.pool.run(task, { transferList: transferList as never });
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      throw new InferenceError(`inference worker failed: ${why}`, 500);
    }
    if ('error' in result) {
      const failure = result as TaskFailure;
      throw new InferenceError(failure.error, failure.status);
    }
    return result;
  }

  /** Resolves once every thread has started (its first task would otherwise pay for that). */
  async ready(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, () => this.pool.run({ kind: 'ping' })));
  }

  /** The live threads (a test may terminate one to check that it is replaced). */
  get threads(): Worker[] {
    return this.pool.threads;
  }

  async close(): Promise<void> {
    await this.pool.close({ force: false });
  }
}
