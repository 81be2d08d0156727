/**
 * The tracking store's schema, as numbered migrations (Optuna's storages/_rdb style): migration i
 * takes a database at user_version i to i + 1, in one transaction.
 */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE runs (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'interrupted')),
     started_at REAL NOT NULL,
     ended_at REAL,
     heartbeat_at REAL NOT NULL,
     host TEXT NOT NULL,
     pid INTEGER NOT NULL,
     params TEXT NOT NULL DEFAULT '{}',
     summary TEXT NOT NULL DEFAULT '{}',
     error TEXT
   );
   CREATE TABLE tags (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     tag TEXT NOT NULL,
     PRIMARY KEY (run_id, tag)
   );
   CREATE TABLE metrics (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     key TEXT NOT NULL,
     scope TEXT NOT NULL CHECK (scope IN ('batch', 'epoch', 'system')),
     step INTEGER NOT NULL,
     epoch INTEGER NOT NULL,
     wall REAL NOT NULL,
     value REAL NOT NULL
   );
   CREATE INDEX metrics_by_run ON metrics (run_id, key, step);
   CREATE TABLE artifacts (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     name TEXT NOT NULL,
     kind TEXT NOT NULL,
     content TEXT NOT NULL,
     PRIMARY KEY (run_id, name)
   );
   CREATE TABLE histograms (
     run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
     epoch INTEGER NOT NULL,
     weight TEXT NOT NULL,
     min REAL NOT NULL,
     max REAL NOT NULL,
     counts TEXT NOT NULL,
     PRIMARY KEY (run_id, epoch, weight)
   );`,
];
