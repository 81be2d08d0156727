/**
 * Inference for the protocol handlers: one Batcher per served model version in front of the
 * worker pool, the per-request timeout, and the mapping of failures to HTTP statuses (queue full
 * 503 + Retry-After, timeout 504, a crashed worker 500 with its reason). Predict requests travel
 * as their raw JSON bodies: the workers parse and check them (in parallel with the event loop,
 * whose share of a small model's request is mostly JSON), so a bad body's 400 comes back from
 * there, for that request alone.
 */
import { MessageChannel } from 'node:worker_threads';
import { HttpError } from '../protocols/http-error.js';
import type { PredictInfo, PredictProtocol } from '../protocols/request-bodies.js';
import type { BatchingConfig } from '../repository/model-config.js';
import type { ModelRepository, ModelVersion } from '../repository/model-repository.js';
import { Batcher, QueueFullError, TimeoutError } from './batcher.js';
import { forgetModel, predictBodies } from './inference-worker.js';
import type { BodyResult, GenerateResult, GenerateTask, WireTensor } from './wire.js';
import { InferenceError, type WorkerPool } from './worker-pool.js';

export interface InferenceHooks {
  /** Every batch the model ran: its rows and its time on the worker (parsing excluded), ms. */
  onBatch?: (v: ModelVersion, rows: number, ms: number) => void;
  /** A request that ran on the event loop. */
  onInline?: (v: ModelVersion) => void;
}

export interface InferenceOptions {
  timeoutMs: number;
  /**
   * A request alone on an idle server runs on the event loop (no worker round trip) when its
   * predict should take less than this, ms, judging by its size and the model's latest batch
   * (default 1; 0: never).
   */
  inlineBelowMs?: number;
  /** Requests in progress on the server (this one included): inline only when it is alone. */
  requestsInProgress?: () => number;
  /** Deepest JSON nesting of a predict body. */
  maxJsonDepth: number;
  /** Bytes of bodies waiting per model version before 503 (default 256 MiB). */
  maxQueueBytes?: number;
}

/** A predict request's answer: its rows of the outputs and what its response needs. */
export interface PredictAnswer {
  outputs: WireTensor[];
  info: PredictInfo;
  rows: number;
}

interface Pending {
  protocol: PredictProtocol;
  body: Uint8Array;
}

export type GenerateParams = Omit<
  GenerateTask,
  'kind' | 'file' | 'format' | 'tokenizerFile' | 'port' | 'cancel'
>;

/** Bodies larger than this never run inline (their JSON alone would hold the event loop). */
const INLINE_MAX_BYTES = 64 * 1024;

export class InferenceService {
  private readonly batchers = new Map<ModelVersion, Batcher<Pending, PredictAnswer>>();
  /** Per version, the predict time per byte of JSON (a moving average over its batches), ms. */
  private readonly msPerByte = new Map<ModelVersion, number>();
  readonly timeoutMs: number;

  constructor(
    private readonly repository: ModelRepository,
    readonly pool: WorkerPool,
    private readonly defaults: BatchingConfig,
    private readonly options: InferenceOptions,
    private readonly hooks: InferenceHooks = {},
  ) {
    this.timeoutMs = options.timeoutMs;
    repository.onUnload((v) => {
      this.batchers.get(v)?.rejectQueued(`${v.name} version ${v.version} was unloaded; retry`);
      this.batchers.delete(v);
      this.msPerByte.delete(v);
      forgetModel(v.file.file);
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

  private batcherFor(v: ModelVersion): Batcher<Pending, PredictAnswer> {
    let b = this.batchers.get(v);
    if (!b) {
      const config = { ...this.defaults, ...this.repository.configOf(v.name).batching };
      b = new Batcher((pending) => this.runBodies(v, pending), {
        ...config,
        maxInFlight: this.pool.size,
        maxQueueBytes: this.options.maxQueueBytes ?? 256 * 2 ** 20,
        inline: (p) => this.runInline(v, p),
      });
      this.batchers.set(v, b);
    }
    return b;
  }

  /** One worker task for a batch of bodies (copied end to end into one transferred buffer). */
  private async runBodies(v: ModelVersion, pending: Pending[]): Promise<(PredictAnswer | Error)[]> {
    const answers: (PredictAnswer | Error)[] = [];
    // Requests are keyed by protocol, so a batch is one protocol's.
    const protocol = pending[0]!.protocol;
    let total = 0;
    for (const p of pending) total += p.body.length;
    const bodies = new Uint8Array(total);
    const ends: number[] = [];
    let at = 0;
    for (const p of pending) {
      bodies.set(p.body, at);
      at += p.body.length;
      ends.push(at);
    }
    const result = await this.pool.predictBodies({
      kind: 'predictBodies',
      file: v.file.file,
      format: v.file.format,
      protocol,
      signature: v.signature,
      maxDepth: this.options.maxJsonDepth,
      bodies,
      ends,
    });
    for (const b of result.batches) this.observe(v, b);
    result.results.forEach((r: BodyResult) => {
      answers.push('error' in r ? new HttpError(r.status, r.error) : r);
    });
    return answers;
  }

  private observe(v: ModelVersion, batch: { rows: number; bytes: number; ms: number }): void {
    this.hooks.onBatch?.(v, batch.rows, batch.ms);
    // A request's predict time, estimated from its size, decides inlining: a moving average of
    // the batches' time per byte, so one slow batch (a GC pause) does not send requests away
    // while a model that is slower than thought soon leaves the event loop.
    const perByte = batch.ms / Math.max(1, batch.bytes);
    const before = this.msPerByte.get(v);
    this.msPerByte.set(v, before === undefined ? perByte : 0.8 * before + 0.2 * perByte);
  }

  /**
   * A lone request on the event loop, when nothing else is in progress on the server (under load,
   * the event loop has HTTP and JSON enough to do) and its model is known to be quick.
   */
  private runInline(v: ModelVersion, p: Pending): PredictAnswer | Error | undefined {
    const perByte = this.msPerByte.get(v);
    if (
      (this.options.requestsInProgress?.() ?? 1) > 1 ||
      perByte === undefined ||
      perByte * p.body.length >= (this.options.inlineBelowMs ?? 1) ||
      p.body.length > INLINE_MAX_BYTES
    )
      return undefined;
    const result = predictBodies({
      kind: 'predictBodies',
      file: v.file.file,
      format: v.file.format,
      protocol: p.protocol,
      signature: v.signature,
      maxDepth: this.options.maxJsonDepth,
      bodies: p.body,
      ends: [p.body.length],
    });
    for (const b of result.batches) this.observe(v, b);
    this.hooks.onInline?.(v);
    const r = result.results[0]!;
    return 'error' in r ? new HttpError(r.status, r.error) : r;
  }

  /**
   * The answer to one predict request of `protocol` whose raw JSON body is `body`, batched with
   * other requests; a bad body throws its 400.
   */
  async predictBody(
    v: ModelVersion,
    protocol: PredictProtocol,
    body: Uint8Array,
  ): Promise<PredictAnswer> {
    try {
      return await this.batcherFor(v).submit(
        { protocol, body },
        { rows: 1, bytes: body.length, key: protocol },
        this.timeoutMs,
      );
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
