/**
 * better-sqlite3 is an optional peer dependency: only the tracking store, the tuner's study store
 * and the serving store use SQLite, so a plain `npm install keel` neither downloads nor compiles it.
 * It is loaded on first use, and a missing package is one clear error with the install command.
 */
import { createRequire } from 'node:module';
import type BetterSqlite3 from 'better-sqlite3';

const require = createRequire(import.meta.url);

/** An open better-sqlite3 connection. */
export type SqliteDatabase = BetterSqlite3.Database;
/** A prepared better-sqlite3 statement. */
export type SqliteStatement = BetterSqlite3.Statement;

/**
 * Opens the SQLite file `path` with better-sqlite3; `who` names the feature in the error thrown when
 * the package is not installed. `openSqlite('runs/keel.sqlite', { timeout: 5000 }, 'tracking')`
 */
export function openSqlite(
  path: string,
  options: BetterSqlite3.Options | undefined,
  who: string,
): SqliteDatabase {
  let Database: typeof BetterSqlite3;
  try {
    Database = require('better-sqlite3') as typeof BetterSqlite3;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error(
      `${who}: the npm package better-sqlite3 is not installed (npm install better-sqlite3)`,
    );
  }
  return new Database(path, options);
}
