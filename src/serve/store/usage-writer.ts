/**
 * Usage metering off the request path: `record` appends to an in-memory buffer; the buffer is
 * written in one transaction every `flushMs` or when it holds `maxBatch` rows, so a request never
 * waits for SQLite and a transaction costs one fsync-free WAL append (synchronous = NORMAL).
 * A record is durable once its transaction commits: a kill -9 loses at most the last
 * `flushMs` of buffered records, never a committed one.
 */
import type { SqliteDatabase } from './store.js';

export interface UsageRecord {
  /** Milliseconds since the epoch. */
  ts: number;
  keyId: number | null;
  customer: string;
  model: string;
  version: string;
  endpoint: string;
  status: number;
  latencyMs: number;
  /** Rows (instances) predicted. */
  items: number;
  /** Prompt + generated tokens (language models). */
  tokens: number;
}

export interface UsageWriterOptions {
  flushMs?: number;
  maxBatch?: number;
  /** Buffered rows beyond which new ones are dropped and counted (a stalled disk cannot eat memory). */
  maxBuffered?: number;
}

export class UsageWriter {
  private buffer: UsageRecord[] = [];
  private timer: NodeJS.Timeout | null = null;
  private readonly insert;
  private readonly insertMany;
  readonly flushMs: number;
  readonly maxBatch: number;
  readonly maxBuffered: number;
  /** Records written (committed) and records dropped because the buffer was full. */
  committed = 0;
  dropped = 0;

  constructor(
    private readonly db: SqliteDatabase,
    options: UsageWriterOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 50;
    this.maxBatch = options.maxBatch ?? 1000;
    this.maxBuffered = options.maxBuffered ?? 100_000;
    this.insert = db.prepare(
      `INSERT INTO usage (ts, key_id, customer, model, version, endpoint, status, latency_ms, items, tokens)
       VALUES (@ts, @keyId, @customer, @model, @version, @endpoint, @status, @latencyMs, @items, @tokens)`,
    );
    this.insertMany = db.transaction((rows: UsageRecord[]) => {
      for (const row of rows) this.insert.run(row);
    });
  }

  /** Queues one record; it is committed within `flushMs`. */
  record(row: UsageRecord): void {
    if (this.buffer.length >= this.maxBuffered) {
      this.dropped++;
      return;
    }
    this.buffer.push(row);
    if (this.buffer.length >= this.maxBatch) this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /** Commits everything buffered now, in transactions of at most `maxBatch` rows. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    while (this.buffer.length > 0 && this.db.open) {
      const rows = this.buffer.splice(0, this.maxBatch);
      this.insertMany(rows);
      this.committed += rows.length;
    }
  }

  /** Records waiting for their transaction. */
  get pending(): number {
    return this.buffer.length;
  }
}
