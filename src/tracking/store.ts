/**
 * The tracking store: one SQLite file (better-sqlite3, WAL) holding runs, their tags, metrics,
 * artifacts and weight histograms. Every SQL statement of tracking is in this file; the schema is
 * versioned by numbered migrations (migrations.ts).
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-write.js';
import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../utils/sqlite.js';
import { MIGRATIONS } from './migrations.js';

/** A run's state; 'interrupted' when the process ended during `fit`. */
export type RunStatus = 'running' | 'finished' | 'failed' | 'interrupted';
/** What a metric row measures: one training batch, one epoch, or the system (step time, memory). */
export type MetricScope = 'batch' | 'epoch' | 'system';

/** One tracked run as stored: identity, state, times, host, parameters, final summary and tags. */
export interface RunRecord {
  id: string;
  name: string;
  status: RunStatus;
  /** Unix times in seconds. */
  startedAt: number;
  endedAt: number | null;
  host: string;
  pid: number;
  params: Record<string, unknown>;
  summary: Record<string, number>;
  tags: string[];
  error: string | null;
}

/** One logged value of a run's metric at a step. */
export interface MetricRow {
  key: string;
  scope: MetricScope;
  /** The global batch index (batch and system rows) or the epoch (epoch rows). */
  step: number;
  epoch: number;
  /** Unix time in seconds. */
  wall: number;
  value: number;
}

/**
 * The histogram of one weight's values at the end of an epoch (`counts` over equal bins from `min`
 * to `max`).
 */
export interface HistogramRecord {
  epoch: number;
  weight: string;
  min: number;
  max: number;
  counts: number[];
}

/** An artifact of a run as listed: its name, kind and size in bytes. */
export interface ArtifactInfo {
  name: string;
  /** 'text' and 'json' live in the database; 'file' is a copy under artifacts/<run>/<name>. */
  kind: string;
  bytes: number;
}

/** Artifact names: path segments of letters, digits, '_', '-' and '.', never '.' or '..'. */
export function checkArtifactName(name: string): void {
  const segments = name.split('/');
  if (!segments.every((s) => /^[\w.-]+$/.test(s) && s !== '.' && s !== '..')) {
    throw new Error(
      `tracking: bad artifact name '${name}' (use letters, digits, '_', '-', '.' and '/' between parts)`,
    );
  }
}

/** Filters of `listRuns`: a search string, required tags and a status. */
export interface RunQuery {
  /** Substring of the id, name, params or a tag. */
  search?: string;
  /** Runs carrying every one of these tags. */
  tags?: readonly string[];
  status?: RunStatus;
}

/** The store's file name inside a tracking folder. */
export const STORE_FILE = 'keel-runs.sqlite';

/** Turns SQLite's errors into messages that say what is wrong with the store and what to do. */
export function storeError(path: string, e: unknown): Error {
  const code = (e as { code?: string }).code ?? '';
  const message = (e as Error).message ?? String(e);
  if (/SQLITE_(NOTADB|CORRUPT)/.test(code)) {
    return new Error(
      `tracking store ${path} is corrupt or not a Keel tracking database (${code}: ${message}); move it aside to start a new one (the file is left untouched)`,
    );
  }
  if (/SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new Error(
      `tracking store ${path} is locked by another process (${code}; waited 5 s); nothing was lost, try again when that process is done`,
    );
  }
  if (/SQLITE_(CANTOPEN|READONLY|PERM)/.test(code)) {
    return new Error(`tracking store ${path} cannot be opened for writing (${code}: ${message})`);
  }
  return e instanceof Error ? e : new Error(message);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface RunRow {
  id: string;
  name: string;
  status: RunStatus;
  started_at: number;
  ended_at: number | null;
  host: string;
  pid: number;
  params: string;
  summary: string;
  error: string | null;
  tags: string | null;
}

const RUN_COLUMNS = `r.id, r.name, r.status, r.started_at, r.ended_at, r.host, r.pid, r.params,
  r.summary, r.error, (SELECT group_concat(tag, char(31)) FROM tags t WHERE t.run_id = r.id) AS tags`;

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    host: row.host,
    pid: row.pid,
    params: JSON.parse(row.params),
    summary: JSON.parse(row.summary),
    tags: row.tags ? row.tags.split('\u001f').sort() : [],
    error: row.error,
  };
}

/**
 * `TrackingStore.open('runs')` opens (or creates) runs/keel-runs.sqlite. Writes are batched by
 * the caller (`appendMetrics` takes many rows in one transaction).
 */
export class TrackingStore {
  private constructor(
    readonly path: string,
    private readonly db: SqliteDatabase,
  ) {}

  /** Opens the store in `dir` (created when missing); errors say whether it is corrupt or locked. */
  static open(dir: string, options: { readonly?: boolean } = {}): TrackingStore {
    const path = dir.endsWith('.sqlite') ? dir : join(dir, STORE_FILE);
    if (options.readonly && !existsSync(path)) {
      throw new Error(`no tracking store at ${path} (train with --tracking-dir ${dir} first)`);
    }
    if (existsSync(dir) && !dir.endsWith('.sqlite') && !statSync(dir).isDirectory()) {
      throw new Error(
        `tracking folder ${dir} is a file; give a folder (the store is ${STORE_FILE} in it)`,
      );
    }
    if (!dir.endsWith('.sqlite')) mkdirSync(dir, { recursive: true });
    let db: SqliteDatabase | undefined;
    try {
      db = openSqlite(path, { readonly: options.readonly ?? false, timeout: 5000 }, 'tracking');
      if (!options.readonly) {
        db.pragma('journal_mode = WAL');
        db.pragma('synchronous = NORMAL');
      }
      db.pragma('foreign_keys = ON');
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version > MIGRATIONS.length) {
        throw new Error(
          `tracking store ${path} has schema version ${version}, newer than this Keel's ${MIGRATIONS.length}; upgrade Keel`,
        );
      }
      if (version < MIGRATIONS.length && options.readonly) {
        throw new Error(
          `tracking store ${path} has an old schema; open it once for writing to migrate`,
        );
      }
      for (let v = version; v < MIGRATIONS.length; v++) {
        db.transaction(() => {
          db!.exec(MIGRATIONS[v]!);
          db!.pragma(`user_version = ${v + 1}`);
        })();
      }
      // A quick check that the tables are there (a foreign SQLite file has others).
      db.prepare('SELECT count(*) FROM runs').get();
    } catch (e) {
      db?.close();
      throw storeError(path, e);
    }
    return new TrackingStore(path, db);
  }

  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      throw storeError(this.path, e);
    }
  }

  /** Starts a run (status 'running') and returns its id. */
  createRun(args: {
    name: string;
    params?: Record<string, unknown>;
    tags?: readonly string[];
  }): string {
    const id = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const now = Date.now() / 1000;
    this.run(() =>
      this.db.transaction(() => {
        this.db
          .prepare(
            `INSERT INTO runs (id, name, status, started_at, heartbeat_at, host, pid, params)
             VALUES (?, ?, 'running', ?, ?, ?, ?, ?)`,
          )
          .run(id, args.name, now, now, hostname(), process.pid, JSON.stringify(args.params ?? {}));
        const tag = this.db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)');
        for (const t of args.tags ?? []) tag.run(id, t);
      })(),
    );
    return id;
  }

  /** The statements of `appendMetrics`, prepared once: it runs every second of a tracked fit. */
  private appendStatements: {
    insert: SqliteStatement;
    heartbeat: SqliteStatement;
    transaction: (runId: string, rows: readonly MetricRow[]) => void;
  } | null = null;

  /** Appends metric rows in one transaction and marks the run alive. */
  appendMetrics(runId: string, rows: readonly MetricRow[]): void {
    this.run(() => {
      if (!this.appendStatements) {
        const insert = this.db.prepare(
          'INSERT INTO metrics (run_id, key, scope, step, epoch, wall, value) VALUES (?, ?, ?, ?, ?, ?, ?)',
        );
        const heartbeat = this.db.prepare('UPDATE runs SET heartbeat_at = ? WHERE id = ?');
        const transaction = this.db.transaction((id: string, list: readonly MetricRow[]) => {
          for (const r of list) insert.run(id, r.key, r.scope, r.step, r.epoch, r.wall, r.value);
          heartbeat.run(Date.now() / 1000, id);
        });
        this.appendStatements = { insert, heartbeat, transaction };
      }
      this.appendStatements.transaction(runId, rows);
    });
  }

  /** Merges values into the run's summary (final metrics, test scores). */
  updateSummary(runId: string, values: Record<string, number>): void {
    this.run(() => {
      const row = this.db.prepare('SELECT summary FROM runs WHERE id = ?').get(runId) as
        | { summary: string }
        | undefined;
      const merged = { ...JSON.parse(row?.summary ?? '{}'), ...values };
      this.db
        .prepare('UPDATE runs SET summary = ? WHERE id = ?')
        .run(JSON.stringify(merged), runId);
    });
  }

  /** Merges values into the run's parameters. */
  updateParams(runId: string, values: Record<string, unknown>): void {
    this.run(() => {
      const row = this.db.prepare('SELECT params FROM runs WHERE id = ?').get(runId) as
        | { params: string }
        | undefined;
      const merged = { ...JSON.parse(row?.params ?? '{}'), ...values };
      this.db.prepare('UPDATE runs SET params = ? WHERE id = ?').run(JSON.stringify(merged), runId);
    });
  }

  /** Ends a run with its final status. */
  endRun(runId: string, status: Exclude<RunStatus, 'running'>, error?: string): void {
    this.run(() =>
      this.db
        .prepare('UPDATE runs SET status = ?, ended_at = ?, error = ? WHERE id = ?')
        .run(status, Date.now() / 1000, error ?? null, runId),
    );
  }

  /** Stores a named artifact (text or JSON), replacing one of the same name. */
  putArtifact(runId: string, name: string, kind: string, content: string): void {
    checkArtifactName(name);
    this.run(() =>
      this.db
        .prepare(
          'INSERT OR REPLACE INTO artifacts (run_id, name, kind, content) VALUES (?, ?, ?, ?)',
        )
        .run(runId, name, kind, content),
    );
  }

  /** The folder holding the run's file artifacts (beside the database). */
  artifactsDir(runId: string): string {
    return join(dirname(this.path), 'artifacts', runId);
  }

  /**
   * Copies a file (a checkpoint, the final model) into the tracking folder as the run's artifact
   * `name`, written atomically, replacing one of the same name; returns the copy's path.
   */
  putFileArtifact(runId: string, name: string, source: string): string {
    checkArtifactName(name);
    if (!existsSync(source)) throw new Error(`tracking: no file ${source} to record as '${name}'`);
    const target = join(this.artifactsDir(runId), name);
    mkdirSync(dirname(target), { recursive: true });
    const bytes = readFileSync(source);
    writeFileAtomic(target, bytes);
    this.putArtifact(runId, name, 'file', JSON.stringify({ bytes: bytes.byteLength, source }));
    return target;
  }

  /** The stored copy of a file artifact, or undefined when the run has no file of that name. */
  artifactFile(runId: string, name: string): string | undefined {
    checkArtifactName(name);
    const a = this.artifact(runId, name);
    return a?.kind === 'file' ? join(this.artifactsDir(runId), name) : undefined;
  }

  /** Stores the weight histograms of one epoch (replacing those of the same epoch and weight). */
  putHistograms(runId: string, histograms: readonly HistogramRecord[]): void {
    this.run(() =>
      this.db.transaction(() => {
        const insert = this.db.prepare(
          'INSERT OR REPLACE INTO histograms (run_id, epoch, weight, min, max, counts) VALUES (?, ?, ?, ?, ?, ?)',
        );
        for (const h of histograms) {
          insert.run(runId, h.epoch, h.weight, h.min, h.max, JSON.stringify(h.counts));
        }
      })(),
    );
  }

  /**
   * Runs left 'running' by a process of this host that no longer exists (killed, crashed) become
   * 'failed'; their data up to the last flush stays.
   */
  reconcile(): void {
    this.run(() => {
      const host = hostname();
      const running = this.db
        .prepare("SELECT id, pid, heartbeat_at FROM runs WHERE status = 'running' AND host = ?")
        .all(host) as { id: string; pid: number; heartbeat_at: number }[];
      for (const r of running) {
        if (r.pid !== process.pid && !isAlive(r.pid)) {
          this.db
            .prepare(
              "UPDATE runs SET status = 'failed', ended_at = ?, error = ? WHERE id = ? AND status = 'running'",
            )
            .run(
              r.heartbeat_at,
              `process ${r.pid} ended without finishing the run (killed or crashed)`,
              r.id,
            );
        }
      }
    });
  }

  /** Runs, newest first, optionally filtered. */
  listRuns(query: RunQuery = {}): RunRecord[] {
    if (!this.db.readonly) this.reconcile();
    return this.run(() => {
      const where: string[] = [];
      const args: unknown[] = [];
      if (query.status) {
        where.push('r.status = ?');
        args.push(query.status);
      }
      for (const t of query.tags ?? []) {
        where.push('EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.tag = ?)');
        args.push(t);
      }
      if (query.search) {
        where.push(
          `(instr(lower(r.id), lower(?)) OR instr(lower(r.name), lower(?)) OR instr(lower(r.params), lower(?))
            OR EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND instr(lower(t.tag), lower(?))))`,
        );
        args.push(query.search, query.search, query.search, query.search);
      }
      const sql = `SELECT ${RUN_COLUMNS} FROM runs r ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY r.started_at DESC`;
      return (this.db.prepare(sql).all(...args) as RunRow[]).map(toRecord);
    });
  }

  /** One run by id or unique id prefix; throws naming the id when none or several match. */
  getRun(idOrPrefix: string): RunRecord {
    const rows = this.run(
      () =>
        this.db
          .prepare(
            `SELECT ${RUN_COLUMNS} FROM runs r WHERE r.id = ? OR r.id LIKE ? ESCAPE '\\' LIMIT 2`,
          )
          .all(idOrPrefix, `${idOrPrefix.replace(/[%_\\]/g, '\\$&')}%`) as RunRow[],
    );
    const exact = rows.find((r) => r.id === idOrPrefix);
    if (exact) return toRecord(exact);
    if (rows.length === 0) throw new Error(`no run '${idOrPrefix}' in ${this.path}`);
    if (rows.length > 1) throw new Error(`run id '${idOrPrefix}' is ambiguous; give more of it`);
    return toRecord(rows[0]!);
  }

  /** The metric keys of a run with their scope and number of points. */
  metricKeys(runId: string): { key: string; scope: MetricScope; count: number }[] {
    return this.run(
      () =>
        this.db
          .prepare(
            'SELECT key, scope, count(*) AS count FROM metrics WHERE run_id = ? GROUP BY key, scope ORDER BY scope, key',
          )
          .all(runId) as { key: string; scope: MetricScope; count: number }[],
    );
  }

  /** The points of one metric of a run, in step order. */
  metrics(runId: string, key: string, scope?: MetricScope): MetricRow[] {
    return this.run(
      () =>
        this.db
          .prepare(
            `SELECT key, scope, step, epoch, wall, value FROM metrics
             WHERE run_id = ? AND key = ? ${scope ? 'AND scope = ?' : ''} ORDER BY step, rowid`,
          )
          .all(...(scope ? [runId, key, scope] : [runId, key])) as MetricRow[],
    );
  }

  /** Every metric row of a run, in insertion order (exports). */
  allMetrics(runId: string): MetricRow[] {
    return this.run(
      () =>
        this.db
          .prepare(
            'SELECT key, scope, step, epoch, wall, value FROM metrics WHERE run_id = ? ORDER BY rowid',
          )
          .all(runId) as MetricRow[],
    );
  }

  /** Metric rows written after `rowid` (live updates), at most `limit`. */
  metricsSince(rowid: number, limit = 50000): (MetricRow & { rowid: number; runId: string })[] {
    return this.run(
      () =>
        this.db
          .prepare(
            `SELECT rowid, run_id AS runId, key, scope, step, epoch, wall, value FROM metrics
             WHERE rowid > ? ORDER BY rowid LIMIT ?`,
          )
          .all(rowid, limit) as (MetricRow & { rowid: number; runId: string })[],
    );
  }

  /** The newest metric rowid (0 when empty). */
  lastMetricRowid(): number {
    return this.run(
      () =>
        (this.db.prepare('SELECT max(rowid) AS m FROM metrics').get() as { m: number | null }).m ??
        0,
    );
  }

  /** The run's artifacts with their sizes (a file's size is its copy's). */
  artifacts(runId: string): ArtifactInfo[] {
    return this.run(
      () =>
        this.db
          .prepare(
            `SELECT name, kind, CASE kind WHEN 'file' THEN json_extract(content, '$.bytes')
               ELSE length(CAST(content AS BLOB)) END AS bytes
             FROM artifacts WHERE run_id = ? ORDER BY name`,
          )
          .all(runId) as ArtifactInfo[],
    );
  }

  /** An artifact's kind and content (a 'file' artifact's content is its path), or undefined. */
  artifact(runId: string, name: string): { kind: string; content: string } | undefined {
    return this.run(
      () =>
        this.db
          .prepare('SELECT kind, content FROM artifacts WHERE run_id = ? AND name = ?')
          .get(runId, name) as { kind: string; content: string } | undefined,
    );
  }

  /** Every weight histogram of a run, by epoch then weight name. */
  histograms(runId: string): HistogramRecord[] {
    return this.run(() =>
      (
        this.db
          .prepare(
            'SELECT epoch, weight, min, max, counts FROM histograms WHERE run_id = ? ORDER BY epoch, weight',
          )
          .all(runId) as (Omit<HistogramRecord, 'counts'> & { counts: string })[]
      ).map((h) => ({ ...h, counts: JSON.parse(h.counts) as number[] })),
    );
  }

  /** Adds tags to a run (tags it already has are kept once). */
  addTags(runId: string, tags: readonly string[]): void {
    this.run(() => {
      const insert = this.db.prepare('INSERT OR IGNORE INTO tags (run_id, tag) VALUES (?, ?)');
      this.db.transaction(() => {
        for (const t of tags) insert.run(runId, t);
      })();
    });
  }

  /** Removes tags from a run. */
  removeTags(runId: string, tags: readonly string[]): void {
    this.run(() => {
      const remove = this.db.prepare('DELETE FROM tags WHERE run_id = ? AND tag = ?');
      this.db.transaction(() => {
        for (const t of tags) remove.run(runId, t);
      })();
    });
  }

  /** Deletes a run with its metrics, tags, artifacts (their files too) and histograms. */
  deleteRun(runId: string): void {
    this.run(() => this.db.prepare('DELETE FROM runs WHERE id = ?').run(runId));
    rmSync(this.artifactsDir(runId), { recursive: true, force: true });
  }

  /** Closes the database. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}
