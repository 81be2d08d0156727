/**
 * Dynamic batching for one model version (TF Serving's batching parameters): requests queue;
 * when no batch is running, the queue leaves at once (a lone request never waits for a batch
 * window); while batches run, requests gather and leave together when a worker frees up, once
 * `maxBatchSize` rows wait or the oldest request has waited `maxQueueDelayMicros` (with one
 * worker a worker is free only when nothing runs, so batches grow with the load and only with
 * it). Requests whose inputs differ in a non-batch axis go
 * into separate batches. The queue is bounded (`maxQueueSize` rows): beyond it a request is
 * refused at once (QueueFullError, 503 + Retry-After) rather than held in memory; a request
 * still waiting at its deadline gets a TimeoutError.
 */
import type { BatchingConfig } from '../repository/model-config.js';
import type { WireTensor } from './wire.js';

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}

export class TimeoutError extends Error {
  override name = 'TimeoutError';
}

/** Runs one batch: inputs with `rows` on their first axis, outputs likewise. */
export type RunBatch = (inputs: WireTensor[]) => Promise<WireTensor[]>;

export interface BatcherOptions extends BatchingConfig {
  /** Batches running at once (the worker count). */
  maxInFlight: number;
  /** Called for every batch that ran: its rows and its time, ms. */
  onBatch?: (rows: number, ms: number) => void;
}

interface Item {
  inputs: WireTensor[];
  rows: number;
  shapeKey: string;
  enqueuedAt: number;
  settled: boolean;
  timer: NodeJS.Timeout | null;
  resolve: (outputs: WireTensor[]) => void;
  reject: (e: Error) => void;
}

export class Batcher {
  private queue: Item[] = [];
  private queuedRows = 0;
  private inFlight = 0;
  private wake: NodeJS.Timeout | null = null;

  constructor(
    private readonly run: RunBatch,
    readonly options: BatcherOptions,
  ) {}

  /** Rows waiting. */
  get depth(): number {
    return this.queuedRows;
  }

  /** Queues a request of `inputs` (same rows on axis 0); resolves with its rows of the outputs. */
  submit(inputs: WireTensor[], timeoutMs: number): Promise<WireTensor[]> {
    const rows = inputs[0]!.shape[0]!;
    if (this.queuedRows > 0 && this.queuedRows + rows > this.options.maxQueueSize) {
      return Promise.reject(
        new QueueFullError(
          `the queue of this model is full (${this.queuedRows} rows waiting, limit ${this.options.maxQueueSize}); retry later`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const item: Item = {
        inputs,
        rows,
        shapeKey: inputs.map((t) => t.shape.slice(1).join(',')).join(';'),
        enqueuedAt: performance.now(),
        settled: false,
        timer: null,
        resolve,
        reject,
      };
      item.timer = setTimeout(() => this.expire(item, timeoutMs), timeoutMs);
      this.queue.push(item);
      this.queuedRows += rows;
      this.pump();
    });
  }

  private expire(item: Item, timeoutMs: number): void {
    const i = this.queue.indexOf(item);
    if (i >= 0) {
      this.queue.splice(i, 1);
      this.queuedRows -= item.rows;
    }
    this.settle(item, new TimeoutError(`the request did not finish within ${timeoutMs} ms`));
  }

  private settle(item: Item, result: WireTensor[] | Error): void {
    if (item.settled) return;
    item.settled = true;
    if (item.timer) clearTimeout(item.timer);
    if (result instanceof Error) item.reject(result);
    else item.resolve(result);
  }

  private pump(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = null;
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
          () => this.pump(),
          Math.max(0, (maxQueueDelayMicros - waitedMicros) / 1000),
        );
        return;
      }
      this.dispatch(this.take());
    }
  }

  /** The head of the queue and the requests after it that fit and have the same shapes. */
  private take(): Item[] {
    const head = this.queue[0]!;
    const batch: Item[] = [];
    let rows = 0;
    for (let i = 0; i < this.queue.length; ) {
      const item = this.queue[i]!;
      if (batch.length > 0 && rows + item.rows > this.options.maxBatchSize) break;
      if (item.shapeKey === head.shapeKey) {
        batch.push(item);
        rows += item.rows;
        this.queue.splice(i, 1);
        this.queuedRows -= item.rows;
      } else i++;
    }
    return batch;
  }

  private dispatch(batch: Item[]): void {
    this.inFlight++;
    const rows = batch.reduce((s, b) => s + b.rows, 0);
    const inputs = batch[0]!.inputs.map((first, k) =>
      batch.length === 1
        ? first
        : concatRows(
            batch.map((b) => b.inputs[k]!),
            rows,
          ),
    );
    const start = performance.now();
    this.run(inputs)
      .then(
        (outputs) => {
          this.options.onBatch?.(rows, performance.now() - start);
          let at = 0;
          for (const item of batch) {
            this.settle(
              item,
              outputs.map((o) => sliceRows(o, at, item.rows)),
            );
            at += item.rows;
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
    for (const item of this.queue.splice(0)) this.settle(item, new QueueFullError(reason));
    this.queuedRows = 0;
  }
}

function concatRows(parts: WireTensor[], rows: number): WireTensor {
  const first = parts[0]!;
  const data = new (first.data.constructor as typeof Float32Array)(
    parts.reduce((s, p) => s + p.data.length, 0),
  );
  let at = 0;
  for (const p of parts) {
    data.set(p.data, at);
    at += p.data.length;
  }
  return { data, shape: [rows, ...first.shape.slice(1)] };
}

function sliceRows(t: WireTensor, from: number, rows: number): WireTensor {
  const total = t.shape[0]!;
  const per = total === 0 ? 0 : t.data.length / total;
  return {
    data: t.data.subarray(from * per, (from + rows) * per),
    shape: [rows, ...t.shape.slice(1)],
  };
}
