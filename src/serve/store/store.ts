/**
 * The serving state in one SQLite file (better-sqlite3, WAL): customers, hashed API keys, per-key
 * quotas and usage records. Every SQL statement of the server lives here or in the usage files
 * beside it; handlers call methods.
 * `const store = ServeStore.open('serve.db'); const {key} = store.createKey('acme')`
 */
import { openSqlite, type SqliteDatabase, type SqliteStatement } from '../../utils/sqlite.js';
import { generateApiKey, hashApiKey, keyPrefix } from '../keys.js';
import { MIGRATIONS } from './migrations.js';

export type { SqliteDatabase };

export interface KeyRecord {
  id: number;
  customer: string;
  prefix: string;
  createdAt: number;
  revokedAt: number | null;
}

/** Limits of one key; an absent field means unlimited. */
export interface Quota {
  requestsPerMinute?: number;
  requestsPerDay?: number;
  requestsPerMonth?: number;
  tokensPerMinute?: number;
  tokensPerDay?: number;
  tokensPerMonth?: number;
  /** Token-bucket rate limit: sustained requests per second... */
  ratePerSecond?: number;
  /** ...and the bucket's size (default: max(1, ratePerSecond)). */
  burst?: number;
}

export const QUOTA_FIELDS = [
  ['requestsPerMinute', 'requests_per_minute'],
  ['requestsPerDay', 'requests_per_day'],
  ['requestsPerMonth', 'requests_per_month'],
  ['tokensPerMinute', 'tokens_per_minute'],
  ['tokensPerDay', 'tokens_per_day'],
  ['tokensPerMonth', 'tokens_per_month'],
  ['ratePerSecond', 'rate_per_second'],
  ['burst', 'burst'],
] as const satisfies readonly (readonly [keyof Quota, string])[];

/** Opens (creating if needed) a serving database and brings its schema up to date. */
export function openDatabase(path: string): SqliteDatabase {
  const db = openSqlite(path, undefined, 'serve');
  db.pragma('journal_mode = WAL');
  // NORMAL in WAL mode: a committed transaction survives a process crash (kill -9); only an OS
  // crash can lose the last ones, never corrupt the file.
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > MIGRATIONS.length) {
    db.close();
    throw new Error(
      `${path}: schema version ${version} is newer than this Keel (${MIGRATIONS.length}); upgrade Keel`,
    );
  }
  for (let v = version; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}

/** How often the key cache asks SQLite whether another process changed the file, ms. */
const KEY_CACHE_CHECK_MS = 200;
const KEY_CACHE_MAX = 10_000;

export class ServeStore {
  private readonly statements = new Map<string, SqliteStatement>();
  /** Keys found by hash: the per-request lookup without a query (see `lookupKey`). */
  private readonly keyCache = new Map<string, KeyRecord>();
  private keyCacheVersion = -1;
  private keyCacheCheckedAt = 0;
  private constructor(readonly db: SqliteDatabase) {}

  /** A prepared statement, prepared once (the hot paths run per request). */
  private sql(text: string): SqliteStatement {
    let s = this.statements.get(text);
    if (!s) this.statements.set(text, (s = this.db.prepare(text)));
    return s;
  }

  static open(path: string): ServeStore {
    return new ServeStore(openDatabase(path));
  }

  /** Creates the customer if new and a key for it; the key itself is returned only here. */
  createKey(customer: string, now = Date.now()): { id: number; key: string; customer: string } {
    if (!/^[\w.@-]{1,128}$/.test(customer)) {
      throw new RangeError(
        `keys: customer name must be 1-128 letters, digits or . _ @ -, got '${customer.slice(0, 140)}'`,
      );
    }
    const key = generateApiKey();
    const id = this.db.transaction(() => {
      this.sql('INSERT OR IGNORE INTO customers (name, created_at) VALUES (?, ?)').run(
        customer,
        now,
      );
      const { id: customerId } = this.sql('SELECT id FROM customers WHERE name = ?').get(
        customer,
      ) as { id: number };
      return Number(
        this.sql(
          'INSERT INTO api_keys (customer_id, prefix, hash, created_at) VALUES (?, ?, ?, ?)',
        ).run(customerId, keyPrefix(key), hashApiKey(key), now).lastInsertRowid,
      );
    })();
    return { id, key, customer };
  }

  /** Revokes a key by id or by the key itself; false when no such active key exists. */
  revokeKey(idOrKey: number | string, now = Date.now()): boolean {
    const sql =
      typeof idOrKey === 'number'
        ? 'UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'
        : 'UPDATE api_keys SET revoked_at = ? WHERE hash = ? AND revoked_at IS NULL';
    const arg = typeof idOrKey === 'number' ? idOrKey : hashApiKey(idOrKey);
    this.keyCache.clear();
    return this.sql(sql).run(now, arg).changes === 1;
  }

  /**
   * `findKeyByHash` for the request path: found keys are cached, and the cache is dropped when
   * this store revokes a key (at once) or when another process (`keel keys revoke`) changed the
   * database (SQLite's data_version, read at most every 200 ms). A query per request was the
   * largest cost of authentication.
   */
  lookupKey(hash: string, now = Date.now()): KeyRecord | undefined {
    if (now - this.keyCacheCheckedAt >= KEY_CACHE_CHECK_MS || now < this.keyCacheCheckedAt) {
      this.keyCacheCheckedAt = now;
      const version = this.db.pragma('data_version', { simple: true }) as number;
      if (version !== this.keyCacheVersion) this.keyCache.clear();
      this.keyCacheVersion = version;
    }
    const cached = this.keyCache.get(hash);
    if (cached) return cached;
    const record = this.findKeyByHash(hash);
    if (record) {
      if (this.keyCache.size >= KEY_CACHE_MAX) this.keyCache.clear();
      this.keyCache.set(hash, record);
    }
    return record;
  }

  /** Every key, newest first (prefixes only: the keys themselves are not stored). */
  listKeys(): KeyRecord[] {
    return this.sql(
      `SELECT k.id, c.name AS customer, k.prefix, k.created_at AS createdAt, k.revoked_at AS revokedAt
         FROM api_keys k JOIN customers c ON c.id = k.customer_id ORDER BY k.id DESC`,
    ).all() as KeyRecord[];
  }

  /** The key with this hash, revoked or not, or undefined. */
  findKeyByHash(hash: string): KeyRecord | undefined {
    return this.sql(
      `SELECT k.id, c.name AS customer, k.prefix, k.created_at AS createdAt, k.revoked_at AS revokedAt
         FROM api_keys k JOIN customers c ON c.id = k.customer_id WHERE k.hash = ?`,
    ).get(hash) as KeyRecord | undefined;
  }

  /** Replaces a key's quota (absent fields unlimited); false when the key does not exist. */
  setQuota(keyId: number, quota: Quota): boolean {
    if (!this.sql('SELECT 1 FROM api_keys WHERE id = ?').get(keyId)) return false;
    const columns = QUOTA_FIELDS.map(([, c]) => c);
    const values = QUOTA_FIELDS.map(([f]) => quota[f] ?? null);
    this.sql(
      `INSERT OR REPLACE INTO quotas (key_id, ${columns.join(', ')}) VALUES (?, ${columns.map(() => '?').join(', ')})`,
    ).run(keyId, ...values);
    return true;
  }

  /** A key's quota ({} when unlimited). */
  getQuota(keyId: number): Quota {
    const row = this.sql('SELECT * FROM quotas WHERE key_id = ?').get(keyId) as
      | Record<string, number | null>
      | undefined;
    const quota: Quota = {};
    for (const [field, column] of QUOTA_FIELDS) {
      const v = row?.[column];
      if (v !== null && v !== undefined) quota[field] = v;
    }
    return quota;
  }

  /** Committed requests and tokens of a key since `since` (ms), for seeding quota windows. */
  usageSince(keyId: number, since: number): { requests: number; tokens: number } {
    const row = this.sql(
      'SELECT COUNT(*) AS requests, COALESCE(SUM(tokens), 0) AS tokens FROM usage WHERE key_id = ? AND ts >= ? AND status <> 429',
    ).get(keyId, since) as { requests: number; tokens: number };
    return row;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
