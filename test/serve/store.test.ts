/** The serving database: migrations, hashed keys, revocation, quotas, batched usage and reports. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashApiKey, looksLikeApiKey } from '../../src/serve/keys.js';
import { MIGRATIONS } from '../../src/serve/store/migrations.js';
import { openDatabase, ServeStore } from '../../src/serve/store/store.js';
import { usageCsv, usageReport } from '../../src/serve/store/usage-report.js';
import { type UsageRecord, UsageWriter } from '../../src/serve/store/usage-writer.js';
import { tempDir } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);

const row = (over: Partial<UsageRecord>): UsageRecord => ({
  ts: Date.UTC(2026, 11, 1, 12),
  keyId: 1,
  customer: 'acme',
  model: 'mlp',
  version: '1',
  endpoint: '/v1/models/:nameVerb',
  status: 200,
  latencyMs: 2,
  items: 1,
  tokens: 0,
  ...over,
});

describe('ServeStore', () => {
  it('migrates a new file to the latest schema in WAL mode, and reopens it unchanged', () => {
    const path = join(dir, 'migrate.db');
    const db = openDatabase(path);
    assert.equal(db.pragma('user_version', { simple: true }), MIGRATIONS.length);
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    const again = openDatabase(path);
    assert.equal(again.pragma('user_version', { simple: true }), MIGRATIONS.length);
    again.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    again.close();
    assert.throws(() => openDatabase(path), /newer than this Keel/);
  });

  it('caches key lookups: a revocation here applies at once, one by another process within 200 ms', () => {
    const path = join(dir, 'key-cache.db');
    const store = ServeStore.open(path);
    const a = store.createKey('acme');
    const hash = hashApiKey(a.key);
    const t = 1_000_000;
    assert.equal(store.lookupKey(hash, t)?.revokedAt, null);
    assert.equal(store.lookupKey(hashApiKey('keel_nope'), t), undefined);
    store.revokeKey(a.id);
    assert.notEqual(store.lookupKey(hash, t + 1)?.revokedAt, null, 'revoked through this store');
    const b = store.createKey('acme');
    const bHash = hashApiKey(b.key);
    assert.equal(store.lookupKey(bHash, t + 2)?.revokedAt, null);
    // Another process (its own connection) revokes b: seen once data_version is read again.
    const other = ServeStore.open(path);
    other.revokeKey(b.key);
    other.close();
    assert.equal(store.lookupKey(bHash, t + 100)?.revokedAt, null, 'cached for up to 200 ms');
    assert.notEqual(store.lookupKey(bHash, t + 250)?.revokedAt, null);
    store.close();
  });

  it('stores only the hash of a key; revocation is by id or by key', () => {
    const store = ServeStore.open(join(dir, 'keys.db'));
    const a = store.createKey('acme');
    const b = store.createKey('acme');
    assert.ok(looksLikeApiKey(a.key));
    assert.notEqual(a.key, b.key);
    const raw = store.db.prepare('SELECT * FROM api_keys').all() as Record<string, unknown>[];
    assert.equal(raw.length, 2);
    assert.ok(!JSON.stringify(raw).includes(a.key), 'the key itself is not stored');
    assert.equal(store.findKeyByHash(hashApiKey(a.key))?.customer, 'acme');
    assert.equal(store.revokeKey(a.id), true);
    assert.equal(store.revokeKey(a.id), false, 'already revoked');
    assert.notEqual(store.findKeyByHash(hashApiKey(a.key))?.revokedAt, null);
    assert.equal(store.revokeKey(b.key), true);
    assert.throws(() => store.createKey('bad name!'), /customer name/);
    store.close();
  });

  it('keeps per-key quotas, absent limits unlimited', () => {
    const store = ServeStore.open(join(dir, 'quota.db'));
    const { id } = store.createKey('acme');
    assert.deepEqual(store.getQuota(id), {});
    assert.equal(store.setQuota(id, { requestsPerMinute: 10, ratePerSecond: 2.5 }), true);
    assert.deepEqual(store.getQuota(id), { requestsPerMinute: 10, ratePerSecond: 2.5 });
    assert.equal(store.setQuota(999, { requestsPerDay: 1 }), false);
    store.close();
  });
});

describe('UsageWriter and usageReport', () => {
  it('commits records in batches and reports them grouped, as CSV and JSON rows', () => {
    const store = ServeStore.open(join(dir, 'usage.db'));
    const writer = new UsageWriter(store.db, { flushMs: 10_000, maxBatch: 3 });
    writer.record(row({}));
    writer.record(row({ status: 400, items: 0 }));
    assert.equal(writer.pending, 2);
    assert.equal(store.db.prepare('SELECT COUNT(*) AS n FROM usage').get()!['n' as never], 0);
    writer.record(row({ customer: 'globex', model: 'gpt', tokens: 30 }));
    assert.equal(writer.pending, 0, 'the third record filled a batch: committed');
    writer.record(row({ ts: Date.UTC(2026, 11, 2), tokens: 5, model: 'gpt' }));
    writer.flush();
    assert.equal(writer.committed, 4);
    const from = Date.UTC(2026, 11, 1);
    const rows = usageReport(store.db, {
      from,
      to: Date.UTC(2026, 11, 3),
      by: ['customer', 'model'],
    });
    assert.deepEqual(
      rows.map((r) => [r['customer'], r['model'], r.requests, r.succeeded, r.items, r.tokens]),
      [
        ['acme', 'gpt', 1, 1, 1, 5],
        ['acme', 'mlp', 2, 1, 1, 0],
        ['globex', 'gpt', 1, 1, 1, 30],
      ],
    );
    const firstDay = usageReport(store.db, { from, to: Date.UTC(2026, 11, 2), by: ['day'] });
    assert.deepEqual(
      firstDay.map((r) => [r['day'], r.requests]),
      [['2026-12-01', 3]],
    );
    const csv = usageCsv(rows, ['customer', 'model']);
    assert.equal(
      csv.split('\n')[0],
      'customer,model,requests,succeeded,items,tokens,meanLatencyMs',
    );
    assert.match(csv, /^globex,gpt,1,1,1,30,2$/m);
    assert.throws(
      () => usageReport(store.db, { from, to: from + 1, by: ['nope' as never] }),
      /cannot group by 'nope'/,
    );
    store.close();
  });

  it('drops (and counts) records beyond its buffer instead of growing without bound', () => {
    const store = ServeStore.open(join(dir, 'bounded.db'));
    const writer = new UsageWriter(store.db, { flushMs: 10_000, maxBatch: 100, maxBuffered: 5 });
    for (let i = 0; i < 8; i++) writer.record(row({}));
    assert.equal(writer.pending, 5);
    assert.equal(writer.dropped, 3);
    writer.flush();
    store.close();
  });
});
