/**
 * The study store: studies, their trials and each trial's per-epoch values in one SQLite file
 * (WAL, so a dashboard can read while a search writes), with numbered schema migrations (Optuna's
 * storages/_rdb). All SQL of the tuner is in this file. Every change is one transaction, so a
 * process killed at any point leaves the study as it was before or after that change.
 * `const store = new StudyStore('tune.db'); store.listTrials('mnist')`
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { openSqlite, type SqliteDatabase } from '../utils/sqlite.js';
import type { ParamSpec, Params } from './hyperparameters.js';
import type { Objective } from './objective.js';
import type { IntermediateValue, TrialMeta, TrialRecord, TrialState } from './trial.js';

/** Migration i brings the schema from version i to i + 1 (PRAGMA user_version). */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE studies (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     objectives TEXT NOT NULL,
     algorithm TEXT NOT NULL,
     config TEXT NOT NULL,
     space TEXT NOT NULL DEFAULT '[]',
     created_at TEXT NOT NULL
   );
   CREATE TABLE trials (
     id INTEGER PRIMARY KEY,
     study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
     number INTEGER NOT NULL,
     state TEXT NOT NULL,
     params TEXT NOT NULL,
     meta TEXT NOT NULL,
     objective_values TEXT,
     metrics TEXT,
     error TEXT,
     started_at TEXT,
     finished_at TEXT,
     UNIQUE (study_id, number)
   );
   CREATE TABLE intermediate_values (
     trial_id INTEGER NOT NULL REFERENCES trials(id) ON DELETE CASCADE,
     step INTEGER NOT NULL,
     value REAL,
     logs TEXT NOT NULL,
     PRIMARY KEY (trial_id, step)
   );`,
];

/** A study as stored: its objectives, algorithm and settings, search space and creation time. */
export interface StudyInfo {
  name: string;
  objectives: Objective[];
  algorithm: string;
  /** The algorithm's and search's settings, as given when the study was created. */
  config: Record<string, unknown>;
  space: ParamSpec[];
  createdAt: string;
  /** Trials per state. */
  counts: Partial<Record<TrialState, number>>;
}

interface StudyRow {
  id: number;
  name: string;
  objectives: string;
  algorithm: string;
  config: string;
  space: string;
  created_at: string;
}

interface TrialRow {
  id: number;
  number: number;
  state: TrialState;
  params: string;
  meta: string;
  objective_values: string | null;
  metrics: string | null;
  error: string | null;
  started_at: string | null;
  finished_at: string | null;
}

const now = () => new Date().toISOString();

/** Opens (creating if needed) a study database. ':memory:' keeps it in memory. */
export class StudyStore {
  /** @internal The connection (tests read its pragmas); not part of the published types. */
  readonly db: SqliteDatabase;

  constructor(readonly path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.db = openSqlite(path, undefined, 'tune.StudyStore');
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('foreign_keys = ON');
    this.db.pragma('busy_timeout = 5000');
    this.migrate();
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length)
      throw new Error(
        `StudyStore: ${this.path} has schema version ${version}, newer than this Keel (${MIGRATIONS.length})`,
      );
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  /** Closes the database. */
  close(): void {
    this.db.close();
  }

  private studyRow(name: string): StudyRow {
    const row = this.db.prepare('SELECT * FROM studies WHERE name = ?').get(name) as
      | StudyRow
      | undefined;
    if (!row)
      throw new Error(
        `StudyStore: no study '${name}' in ${this.path} (studies: ${this.studyNames().join(', ') || 'none'})`,
      );
    return row;
  }

  private studyNames(): string[] {
    return (
      this.db.prepare('SELECT name FROM studies ORDER BY id').all() as { name: string }[]
    ).map((r) => r.name);
  }

  /**
   * Creates a study, or opens the existing one of that name (resuming it); an existing study with
   * other objectives or another algorithm is an error rather than a silent mix of two searches.
   */
  openStudy(
    name: string,
    objectives: Objective[],
    algorithm: string,
    config: Record<string, unknown>,
  ): StudyInfo {
    const existing = this.db.prepare('SELECT * FROM studies WHERE name = ?').get(name) as
      | StudyRow
      | undefined;
    if (existing) {
      if (existing.objectives !== JSON.stringify(objectives) || existing.algorithm !== algorithm)
        throw new Error(
          `StudyStore: study '${name}' in ${this.path} was created for ${existing.algorithm} on ${existing.objectives}, not ${algorithm} on ${JSON.stringify(objectives)}; use another project name or overwrite`,
        );
      return this.getStudy(name);
    }
    this.db
      .prepare(
        'INSERT INTO studies (name, objectives, algorithm, config, created_at) VALUES (?, ?, ?, ?, ?)',
      )
      .run(name, JSON.stringify(objectives), algorithm, JSON.stringify(config), now());
    return this.getStudy(name);
  }

  /** Deletes a study and its trials. */
  deleteStudy(name: string): void {
    this.db.prepare('DELETE FROM studies WHERE name = ?').run(name);
  }

  /** Every study in the store. */
  listStudies(): StudyInfo[] {
    return this.studyNames().map((n) => this.getStudy(n));
  }

  /** The study called `name` (an error when there is none). */
  getStudy(name: string): StudyInfo {
    const row = this.studyRow(name);
    const counts: Partial<Record<TrialState, number>> = {};
    for (const r of this.db
      .prepare('SELECT state, COUNT(*) AS n FROM trials WHERE study_id = ? GROUP BY state')
      .all(row.id) as { state: TrialState; n: number }[])
      counts[r.state] = r.n;
    return {
      name: row.name,
      objectives: JSON.parse(row.objectives),
      algorithm: row.algorithm,
      config: JSON.parse(row.config),
      space: JSON.parse(row.space),
      createdAt: row.created_at,
      counts,
    };
  }

  /** Records the study's search space as its trials define it. */
  setSpace(study: string, space: readonly ParamSpec[]): void {
    this.db
      .prepare('UPDATE studies SET space = ? WHERE name = ?')
      .run(JSON.stringify(space), study);
  }

  /** Adds a trial with the next number, in state 'running' (or as given); returns its number. */
  addTrial(study: string, params: Params, meta: TrialMeta, state: TrialState = 'running'): number {
    return this.db.transaction(() => {
      const { id } = this.studyRow(study);
      const { next } = this.db
        .prepare('SELECT COALESCE(MAX(number), -1) + 1 AS next FROM trials WHERE study_id = ?')
        .get(id) as { next: number };
      this.db
        .prepare(
          'INSERT INTO trials (study_id, number, state, params, meta, started_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          id,
          next,
          state,
          JSON.stringify(params),
          JSON.stringify(meta),
          state === 'running' ? now() : null,
        );
      return next;
    })();
  }

  private trialId(study: string, number: number): number {
    const row = this.db
      .prepare(
        'SELECT t.id FROM trials t JOIN studies s ON s.id = t.study_id WHERE s.name = ? AND t.number = ?',
      )
      .get(study, number) as { id: number } | undefined;
    if (!row) throw new Error(`StudyStore: study '${study}' has no trial ${number}`);
    return row.id;
  }

  /** Marks a waiting trial as running again. */
  startTrial(study: string, number: number): void {
    this.db
      .prepare("UPDATE trials SET state = 'running', started_at = ? WHERE id = ?")
      .run(now(), this.trialId(study, number));
  }

  /** Records one epoch of a trial (replacing an earlier record of the same step). */
  reportIntermediate(study: string, number: number, value: IntermediateValue): void {
    this.db
      .prepare(
        'INSERT OR REPLACE INTO intermediate_values (trial_id, step, value, logs) VALUES (?, ?, ?, ?)',
      )
      .run(this.trialId(study, number), value.step, value.value, JSON.stringify(value.logs));
  }

  /** Ends a trial with its state, objective values, final metrics or error. */
  finishTrial(
    study: string,
    number: number,
    result: {
      state: TrialState;
      values?: number[] | null;
      metrics?: Record<string, number> | null;
      error?: string | null;
    },
  ): void {
    this.db
      .prepare(
        'UPDATE trials SET state = ?, objective_values = ?, metrics = ?, error = ?, finished_at = ? WHERE id = ?',
      )
      .run(
        result.state,
        result.values ? JSON.stringify(result.values) : null,
        result.metrics ? JSON.stringify(result.metrics) : null,
        result.error ?? null,
        now(),
        this.trialId(study, number),
      );
  }

  /** Marks a running trial as 'interrupted' (its search was stopped; it runs again on resume). */
  interruptTrial(study: string, number: number): void {
    this.db
      .prepare("UPDATE trials SET state = 'interrupted', finished_at = ? WHERE id = ?")
      .run(now(), this.trialId(study, number));
  }

  /**
   * Puts the trials a killed search left 'running' and those an interrupted one marked
   * 'interrupted' back in the queue, their epochs forgotten, so the resumed search trains each
   * exactly once more under the same number. Returns their numbers.
   */
  requeueInterrupted(study: string): number[] {
    return this.db.transaction(() => {
      const { id } = this.studyRow(study);
      const rows = this.db
        .prepare(
          "SELECT id, number FROM trials WHERE study_id = ? AND state IN ('running', 'interrupted') ORDER BY number",
        )
        .all(id) as { id: number; number: number }[];
      for (const r of rows) {
        this.db.prepare('DELETE FROM intermediate_values WHERE trial_id = ?').run(r.id);
        this.db
          .prepare(
            "UPDATE trials SET state = 'waiting', started_at = NULL, finished_at = NULL WHERE id = ?",
          )
          .run(r.id);
      }
      return rows.map((r) => r.number);
    })();
  }

  /** Every trial of a study in number order, with its per-epoch values (the dashboard's read API). */
  listTrials(study: string): TrialRecord[] {
    const { id } = this.studyRow(study);
    const rows = this.db
      .prepare('SELECT * FROM trials WHERE study_id = ? ORDER BY number')
      .all(id) as TrialRow[];
    const steps = this.db
      .prepare(
        'SELECT iv.trial_id, iv.step, iv.value, iv.logs FROM intermediate_values iv JOIN trials t ON t.id = iv.trial_id WHERE t.study_id = ? ORDER BY iv.trial_id, iv.step',
      )
      .all(id) as { trial_id: number; step: number; value: number | null; logs: string }[];
    const byTrial = new Map<number, IntermediateValue[]>();
    for (const s of steps) {
      const list = byTrial.get(s.trial_id) ?? [];
      list.push({ step: s.step, value: s.value, logs: JSON.parse(s.logs) });
      byTrial.set(s.trial_id, list);
    }
    return rows.map((r) => ({
      number: r.number,
      state: r.state,
      params: JSON.parse(r.params),
      meta: JSON.parse(r.meta),
      values: r.objective_values ? JSON.parse(r.objective_values) : null,
      metrics: r.metrics ? JSON.parse(r.metrics) : null,
      error: r.error,
      intermediate: byTrial.get(r.id) ?? [],
      startedAt: r.started_at,
      finishedAt: r.finished_at,
    }));
  }
}
