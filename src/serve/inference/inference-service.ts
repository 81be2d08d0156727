/**
 * Inference for the protocol handlers: one Batcher per served model version in front of the
 * worker pool, the per-request timeout, and the mapping of failures to HTTP statuses (queue full
 * 503 + Retry-After, timeout 504, a crashed worker 500 with its reason).
 */
import { MessageChannel } from 'node:worker_threads';
import { HttpError } from '../protocols/http-error.js';
import type { BatchingConfig } from '../repository/model-config.js';
import type { ModelRepository, ModelVersion } from '../repository/model-repository.js';
import { Batcher, QueueFullError, TimeoutError } from './batcher.js';
import type { GenerateResult, GenerateTask, WireTensor } from './wire.js';
import { InferenceError, type WorkerPool } from './worker-pool.js';

export interface InferenceHooks {
  onBatch?: (v: ModelVersion, rows: number, ms: number) => void;
}

export type GenerateParams = Omit<
  GenerateTask,
  'kind' | 'file' | 'format' | 'tokenizerFile' | 'port' | 'cancel'
>;

export class InferenceService {
  private readonly batchers = new Map<ModelVersion, Batcher>();

  constructor(
    private readonly repository: ModelRepository,
    readonly pool: WorkerPool,
    private readonly defaults: BatchingConfig,
    readonly timeoutMs: number,
    private readonly hooks: InferenceHooks = {},
  ) {
    repository.onUnload((v) => {
      this.batchers.get(v)?.rejectQueued(`${v.name} version ${v.version} was unloaded; retry`);
      this.batchers.delete(v);
    });
  }

  /** Rows waiting per served version (the queue-depth metric). */
  queueDepths(): { model: string; version: string; depth: number }[] {
    return [...this.batchers].map(([v, b]) => ({
      model: v.name,
      version: String(v.version),
      depth: b.depth,
    }));
  }

  private batcherFor(v: ModelVersion): Batcher {
    let b = this.batchers.get(v);
    if (!b) {
      const config = { ...this.defaults, ...this.repository.configOf(v.name).batching };
      b = new Batcher(
        async (inputs) =>
          (
            await this.pool.predict({
              kind: 'predict',
              file: v.file.file,
              format: v.file.format,
              inputs,
            })
          ).outputs,
        {
          ...config,
          maxInFlight: this.pool.size,
          onBatch: (rows, ms) => this.hooks.onBatch?.(v, rows, ms),
        },
      );
      this.batchers.set(v, b);
    }
    return b;
  }

  /** The outputs of one request's rows, batched with other requests. */
  async predict(v: ModelVersion, inputs: WireTensor[]): Promise<WireTensor[]> {
    try {
      return await this.batcherFor(v).submit(inputs, this.timeoutMs);
    } catch (e) {
      throw asHttpError(e);
    }
  }

  /**
   * Generates a completion; `onDelta` receives text (and token ids) as they are made. `signal`
   * aborts (client gone): the worker stops at its next token.
   */
  async generate(
    v: ModelVersion,
    params: GenerateParams,
    onDelta?: (delta: { text: string; tokens: number[] }) => void,
    signal?: AbortSignal,
  ): Promise<GenerateResult> {
    const cancel = new Int32Array(new SharedArrayBuffer(4));
    const stop = () => Atomics.store(cancel, 0, 1);
    signal?.addEventListener('abort', stop);
    const timer = setTimeout(stop, this.timeoutMs);
    const channel = onDelta ? new MessageChannel() : null;
    channel?.port1.on('message', onDelta!);
    const drained = channel
      ? new Promise<void>((resolve) => channel.port1.once('close', () => resolve()))
      : Promise.resolve();
    try {
      const result = await this.pool.generate({
        kind: 'generate',
        file: v.file.file,
        format: v.file.format,
        tokenizerFile: v.tokenizer ? `${v.snapshotDir}/tokenizer.json` : undefined,
        ...params,
        port: channel?.port2,
        cancel,
      });
      // The worker closes its end after the last delta: wait for those to arrive (bounded).
      await Promise.race([drained, new Promise((r) => setTimeout(r, 1000).unref())]);
      return result;
    } catch (e) {
      throw asHttpError(e);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', stop);
      channel?.port1.close();
    }
  }
}

function asHttpError(e: unknown): Error {
  if (e instanceof QueueFullError) return new HttpError(503, e.message, 1);
  if (e instanceof TimeoutError) return new HttpError(504, e.message);
  if (e instanceof InferenceError) return new HttpError(e.status, e.message);
  return e as Error;
}
