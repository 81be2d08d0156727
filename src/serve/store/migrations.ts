/**
 * The serving database's schema as numbered migrations (Optuna's storages/_rdb pattern): the
 * database records the last one applied in `PRAGMA user_version`, and opening runs the rest in
 * one transaction each. Append new migrations; never edit an applied one.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: customers, hashed API keys, per-key quotas and the usage records billing reads.
  `CREATE TABLE customers (
     id INTEGER PRIMARY KEY,
     name TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE api_keys (
     id INTEGER PRIMARY KEY,
     customer_id INTEGER NOT NULL REFERENCES customers(id),
     prefix TEXT NOT NULL,
     hash TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     revoked_at INTEGER
   );
   CREATE TABLE quotas (
     key_id INTEGER PRIMARY KEY REFERENCES api_keys(id),
     requests_per_minute INTEGER,
     requests_per_day INTEGER,
     requests_per_month INTEGER,
     tokens_per_minute INTEGER,
     tokens_per_day INTEGER,
     tokens_per_month INTEGER,
     rate_per_second REAL,
     burst INTEGER
   );
   CREATE TABLE usage (
     id INTEGER PRIMARY KEY,
     ts INTEGER NOT NULL,
     key_id INTEGER,
     customer TEXT NOT NULL,
     model TEXT NOT NULL,
     version TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     status INTEGER NOT NULL,
     latency_ms REAL NOT NULL,
     items INTEGER NOT NULL,
     tokens INTEGER NOT NULL
   );
   CREATE INDEX usage_ts ON usage(ts);
   CREATE INDEX usage_key_ts ON usage(key_id, ts);`,
];
