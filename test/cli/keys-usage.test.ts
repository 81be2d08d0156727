/** `keel keys` and `keel usage`: keys printed once on their last line, revocation, quotas, billing reports. */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hashApiKey } from '../../src/serve/keys.js';
import { ServeStore } from '../../src/serve/store/store.js';
import { UsageWriter } from '../../src/serve/store/usage-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-keys-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const keel = join(process.cwd(), 'bin', 'keel.mjs');
const db = join(dir, 'serve.db');
const run = (...args: string[]) =>
  execFileSync(process.execPath, [keel, ...args], { encoding: 'utf8' });

describe('keel keys / keel usage', () => {
  it('keys create prints the key alone on its last line, stored only hashed', () => {
    const out = run('keys', 'create', '--db', db, '--customer', 'acme');
    const key = out.trim().split('\n').at(-1)!;
    assert.match(key, /^keel_[\w-]{43}$/);
    const store = ServeStore.open(db);
    assert.equal(store.findKeyByHash(hashApiKey(key))?.customer, 'acme');
    store.close();
    const list = JSON.parse(run('keys', 'list', '--db', db, '--json'));
    assert.equal(list.length, 1);
    assert.ok(key.startsWith(list[0].prefix));
    assert.ok(!JSON.stringify(list).includes(key));
  });

  it('keys quota sets limits and keys revoke revokes; bad input exits 2', () => {
    const key = run('keys', 'create', '--db', db, '--customer', 'globex')
      .trim()
      .split('\n')
      .at(-1)!;
    const store = ServeStore.open(db);
    const id = store.findKeyByHash(hashApiKey(key))!.id;
    store.close();
    const quota = JSON.parse(
      run(
        'keys',
        'quota',
        '--db',
        db,
        '--id',
        String(id),
        '--requests-per-minute',
        '60',
        '--rate-per-second',
        '2',
      ),
    );
    assert.deepEqual(quota, { requestsPerMinute: 60, ratePerSecond: 2 });
    assert.match(run('keys', 'revoke', '--db', db, '--key', key), /revoked/);
    const again = spawnSync(
      process.execPath,
      [keel, 'keys', 'revoke', '--db', db, '--id', String(id)],
      { encoding: 'utf8' },
    );
    assert.equal(again.status, 2);
    assert.match(again.stderr, /no such active key/);
    const bad = spawnSync(
      process.execPath,
      [keel, 'keys', 'quota', '--db', db, '--id', String(id), '--requests-per-day', '-1'],
      { encoding: 'utf8' },
    );
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /requestsPerDay must be a non-negative integer/);
  });

  it('usage reports by customer and model between two dates, as CSV and JSON', () => {
    const store = ServeStore.open(db);
    const writer = new UsageWriter(store.db);
    const base = { keyId: 1, version: '1', endpoint: '/v1/completions', latencyMs: 3, items: 1 };
    writer.record({
      ...base,
      ts: Date.UTC(2026, 10, 30, 23),
      customer: 'acme',
      model: 'gpt',
      status: 200,
      tokens: 7,
    });
    writer.record({
      ...base,
      ts: Date.UTC(2026, 11, 1, 1),
      customer: 'acme',
      model: 'gpt',
      status: 200,
      tokens: 11,
    });
    writer.record({
      ...base,
      ts: Date.UTC(2026, 11, 1, 2),
      customer: 'acme',
      model: 'gpt',
      status: 429,
      tokens: 0,
    });
    writer.record({
      ...base,
      ts: Date.UTC(2026, 11, 1, 3),
      customer: 'globex',
      model: 'mlp',
      status: 200,
      tokens: 0,
    });
    writer.flush();
    store.close();
    const csv = run(
      'usage',
      '--db',
      db,
      '--from',
      '2026-12-01',
      '--to',
      '2026-12-02',
      '--by',
      'customer,model',
      '--format',
      'csv',
    );
    assert.deepEqual(csv.trim().split('\n'), [
      'customer,model,requests,succeeded,items,tokens,meanLatencyMs',
      'acme,gpt,2,1,2,11,3',
      'globex,mlp,1,1,1,0,3',
    ]);
    const json = JSON.parse(
      run(
        'usage',
        '--db',
        db,
        '--from',
        '2026-11-01',
        '--to',
        '2026-12-02',
        '--by',
        'customer',
        '--format',
        'json',
      ),
    );
    assert.deepEqual(
      json.map((r: Record<string, unknown>) => [r['customer'], r['requests'], r['tokens']]),
      [
        ['acme', 3, 18],
        ['globex', 1, 0],
      ],
    );
    const bad = spawnSync(process.execPath, [keel, 'usage', '--db', db, '--by', 'planet'], {
      encoding: 'utf8',
    });
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /unknown group 'planet'/);
  });
});
