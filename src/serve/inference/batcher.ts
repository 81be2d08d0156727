/**
 * Dynamic batching for one model version (TF Serving's batching parameters): requests queue;
 * when no batch is running, the queue leaves at once (a lone request never waits for a batch
 * window); while batches run, requests gather and leave together when a worker frees up, once
 * `maxBatchSize` rows wait or the oldest request has waited `maxQueueDelayMicros` (with one
 * worker a worker is free only when nothing runs, so batches grow with the load and only with
 * it). With an `inline` runner, an idle batcher first lets the event loop finish its turn: a
 * request that is still alone then (and that `inline` accepts) runs at once on the calling
 * thread, sparing a lone request the round trip to a worker; two or more go to a worker together.
 * Requests with different keys (inputs that differ in a non-batch axis) go into separate
 * batches. The queue is bounded (`maxQueueSize` rows, `maxQueueBytes`): beyond it a request is
 * refused at once (QueueFullError, 503 + Retry-After) rather than held in memory; a request
 * still waiting at its deadline gets a TimeoutError.
 */
import type { BatchingConfig } from '../repository/model-config.js';

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Runs one batch: a result (or the error of that request alone) per payload, in order. */
export type RunBatch<P, R> = (payloads: P[]) => Promise<(R | Error)[]>;

export interface BatcherOptions<P = unknown, R = unknown> extends BatchingConfig {
  /** Batches running at once (the worker count). */
  maxInFlight: number;
  /** Most bytes of payload waiting (default unbounded): beyond it QueueFullError. */
  maxQueueBytes?: number;
  /**
   * Runs a request that is alone in an idle batcher on the calling thread, synchronously; returns
   * undefined to decline (it then goes to a worker as usual).
   */
  inline?: (payload: P) => R | Error | undefined;
}

/** How much of the queue a request takes and what it may share a batch with. */
export interface ItemSize {
  rows: number;
  bytes?: number;
  /** Requests batch together only with the same key (default ''). */
  key?: string;
}

interface Item<P, R> {
  payload: P;
  rows: number;
  bytes: number;
  key: string;
  enqueuedAt: number;
  settled: boolean;
  timer: NodeJS.Timeout | null;
  resolve: (result: R) => void;
  reject: (e: Error) => void;
}

export class Batcher<P, R> {
  private queue: Item<P, R>[] = [];
  private queuedRows = 0;
  private queuedBytes = 0;
  private inFlight = 0;
  private wake: NodeJS.Timeout | null = null;
  private turn: NodeJS.Immediate | null = null;

  constructor(
    private readonly run: RunBatch<P, R>,
    readonly options: BatcherOptions<P, R>,
  ) {}

  /** Rows waiting. */
  get depth(): number {
    return this.queuedRows;
  }

  /** Queues a request; resolves with its result once its batch ran. */
  submit(payload: P, size: ItemSize, timeoutMs: number): Promise<R> {
    const { rows } = size;
    const bytes = size.bytes ?? 0;
    const maxBytes = this.options.maxQueueBytes ?? Number.POSITIVE_INFINITY;
    if (
      this.queue.length > 0 &&
      (this.queuedRows + rows > this.options.maxQueueSize || this.queuedBytes + bytes > maxBytes)
    ) {
      return Promise.reject(
        new QueueFullError(
          `the queue of this model is full (${this.queuedRows} rows waiting, limit ${this.options.maxQueueSize}); retry later`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const item: Item<P, R> = {
        payload,
        rows,
        bytes,
        key: size.key ?? '',
        enqueuedAt: performance.now(),
        settled: false,
        timer: null,
        resolve,
        reject,
      };
      item.timer = setTimeout(() => this.expire(item, timeoutMs), timeoutMs);
      this.queue.push(item);
      this.queuedRows += rows;
      this.queuedBytes += bytes;
      this.pump();
    });
  }

  private unqueue(item: Item<P, R>): void {
    this.queuedRows -= item.rows;
    this.queuedBytes -= item.bytes;
  }

  private expire(item: Item<P, R>, timeoutMs: number): void {
    const i = this.queue.indexOf(item);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.unqueue(item);
    }
    this.settle(item, new TimeoutError(`the request did not finish within ${timeoutMs} ms`));
  }

  private settle(item: Item<P, R>, result: R | Error): void {
    if (item.settled) return;
    item.settled = true;
    if (item.timer) clearTimeout(item.timer);
    if (result instanceof Error) item.reject(result);
    else item.resolve(result);
  }

  private pump(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
    const { inline } = this.options;
    if (inline && this.inFlight === 0 && this.queue.length > 0) {
      // Idle: see what else this turn of the event loop brings before choosing.
      this.turn ??= setImmediate(() => {
        this.turn = null;
        if (this.inFlight === 0 && this.queue.length === 1 && this.runInline(inline)) return;
        this.dispatchReady();
      });
      return;
    }
    this.dispatchReady();
  }

  /** Runs the lone queued request inline; false when `inline` declined it. */
  private runInline(inline: (payload: P) => R | Error | undefined): boolean {
    const item = this.queue[0]!;
    let result: R | Error | undefined;
    try {
      result = inline(item.payload);
    } catch (e) {
      result = e instanceof Error ? e : new Error(String(e));
    }
    if (result === undefined) return false;
    this.queue.shift();
    this.unqueue(item);
    this.settle(item, result);
    return true;
  }

  private dispatchReady(): void {
    const { maxBatchSize, maxQueueDelayMicros, maxInFlight } = this.options;
    while (this.inFlight < maxInFlight && this.queue.length > 0) {
      const waitedMicros = (performance.now() - this.queue[0]!.enqueuedAt) * 1000;
      // Idle: go now. Busy elsewhere: a spare worker waits (bounded) for a fuller batch.
      if (
        this.inFlight > 0 &&
        this.queuedRows < maxBatchSize &&
        waitedMicros < maxQueueDelayMicros
      ) {
        this.wake = setTimeout(
          () => this.dispatchReady(),
          Math.max(0, (maxQueueDelayMicros - waitedMicros) / 1000),
        );
        return;
      }
      this.dispatch(this.take());
    }
  }

  /** The head of the queue and the requests after it that fit and have the same key. */
  private take(): Item<P, R>[] {
    const head = this.queue[0]!;
    const batch: Item<P, R>[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length; ) {
      const item = this.queue[i]!;
      if (batch.length > 0 && rows + item.rows > this.options.maxBatchSize) break;
      if (item.key === head.key) {
        batch.push(item);
        rows += item.rows;
        this.queue.splice(i, 1);
        this.unqueue(item);
      } else i++;
    }
    return batch;
  }

  private dispatch(batch: Item<P, R>[]): void {
    this.inFlight++;
    this.run(batch.map((b) => b.payload))
      .then(
        (results) => {
          for (let i = 0; i < batch.length; i++) {
            const result = results[i];
            this.settle(
              batch[i]!,
              result === undefined ? new Error('the batch returned no result') : result,
            );
          }
        },
        (e: Error) => {
          for (const item of batch) this.settle(item, e);
        },
      )
      .finally(() => {
        this.inFlight--;
        this.pump();
      });
  }

  /** Refuses everything still queued (shutdown of a drained version). */
  rejectQueued(reason: string): void {
    if (this.turn) clearImmediate(this.turn);
    this.turn = null;
    for (const item of this.queue.splice(0)) this.settle(item, new QueueFullError(reason));
    this.queuedRows = 0;
    this.queuedBytes = 0;
  }
}
