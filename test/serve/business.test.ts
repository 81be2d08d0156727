/** Auth, revocation, quotas, rate limits, metering and the admin API against a live server. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { KeelServer } from '../../src/serve/server.js';
import { ADMIN_TOKEN, bearer, call, saveMlp, tempDir, testServer } from './helpers.js';

const { dir, cleanup } = tempDir();
let server: KeelServer;
const predict = { instances: [[1, 2, 3, 4]] };

before(async () => {
  saveMlp(join(dir, 'models'));
  server = await testServer(dir);
});
after(async () => {
  await server.close();
  cleanup();
});

const admin = (method: string, path: string, body?: unknown) =>
  call(server.adminUrl!, method, path, body, bearer(ADMIN_TOKEN));

describe('keys, quotas, metering, admin API', () => {
  it('refuses missing, malformed and unknown keys with 401 and accepts x-api-key', async () => {
    const none = await call(server.url, 'POST', '/v1/models/mlp:predict', predict);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    const bad = await call(
      server.url,
      'POST',
      '/v1/models/mlp:predict',
      predict,
      bearer('keel_nope'),
    );
    assert.deepEqual(bad.body, { error: 'invalid API key' });
    const { key } = server.store.createKey('acme');
    const ok = await call(server.url, 'POST', '/v1/models/mlp:predict', predict, {
      'x-api-key': key,
    });
    assert.equal(ok.status, 200);
  });

  it('the admin API needs its token, creates and revokes keys (revocation applies at once)', async () => {
    assert.equal((await call(server.adminUrl!, 'GET', '/admin/keys')).status, 401);
    assert.equal(
      (await call(server.url, 'GET', '/admin/keys', undefined, bearer(ADMIN_TOKEN))).status,
      404,
      'no admin route on the serving port',
    );
    const created = await admin('POST', '/admin/keys', { customer: 'globex' });
    assert.equal(created.status, 201);
    const { id, key } = created.body as { id: number; key: string };
    assert.equal(
      (await call(server.url, 'POST', '/v1/models/mlp:predict', predict, bearer(key))).status,
      200,
    );
    assert.deepEqual((await admin('DELETE', `/admin/keys/${id}`)).body, { revoked: true });
    const revoked = await call(server.url, 'POST', '/v1/models/mlp:predict', predict, bearer(key));
    assert.equal(revoked.status, 401);
    assert.deepEqual(revoked.body, { error: 'API key revoked' });
    const bad = await admin('PUT', `/admin/keys/${id}/quota`, { requestsPerFortnight: 3 });
    assert.equal(bad.status, 400);
  });

  it('enforces per-minute request quotas and token-bucket rate limits with 429 + Retry-After', async () => {
    const { id, key } = server.store.createKey('initech');
    assert.equal(
      (await admin('PUT', `/admin/keys/${id}/quota`, { requestsPerMinute: 3 })).status,
      200,
    );
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 5; i++) {
      last = await call(server.url, 'POST', '/v1/models/mlp:predict', predict, bearer(key));
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
    assert.deepEqual(last!.body, { error: 'quota exceeded: 3 requests per minute' });
    assert.ok(Number(last!.headers.get('retry-after')) >= 1);
    const other = server.store.createKey('hooli');
    server.store.setQuota(other.id, { ratePerSecond: 0.5, burst: 2 });
    const burst: number[] = [];
    for (let i = 0; i < 3; i++)
      burst.push(
        (await call(server.url, 'POST', '/v1/models/mlp:predict', predict, bearer(other.key)))
          .status,
      );
    assert.deepEqual(burst, [200, 200, 429]);
  });

  it('meters every authenticated request: the usage rows match the responses', async () => {
    const { key } = server.store.createKey('umbrella');
    const codes: number[] = [];
    for (const body of [
      predict,
      predict,
      { instances: [[1]] },
      {
        instances: [
          [1, 2, 3, 4],
          [0, 0, 0, 0],
        ],
      },
    ])
      codes.push(
        (await call(server.url, 'POST', '/v1/models/mlp:predict', body, bearer(key))).status,
      );
    assert.deepEqual(codes, [200, 200, 400, 200]);
    const usage = await admin('GET', '/admin/usage?by=customer,status');
    const rows = (usage.body as { rows: Record<string, number | string>[] }).rows.filter(
      (r) => r['customer'] === 'umbrella',
    );
    assert.deepEqual(
      rows.map((r) => [r['status'], r['requests'], r['items']]),
      [
        [200, 3, 4],
        [400, 1, 0],
      ],
    );
  });

  it('limits bodies (413), refuses other content types (415) and deep JSON (400)', async () => {
    const { key } = server.store.createKey('acme');
    const small = await testServer(dir, {
      maxBodyBytes: 1024,
      adminPort: null,
      db: join(dir, 'small.db'),
    });
    try {
      const big = await call(
        small.url,
        'POST',
        '/v1/models/mlp:predict',
        { instances: Array(400).fill([1, 2, 3, 4]) },
        bearer(small.store.createKey('a').key),
      );
      assert.equal(big.status, 413);
      assert.ok(typeof (big.body as { error: string }).error === 'string');
    } finally {
      await small.close();
    }
    const text = await call(server.url, 'POST', '/v1/models/mlp:predict', 'hello', {
      ...bearer(key),
      'content-type': 'text/plain',
    });
    assert.equal(text.status, 415);
    const deep = await call(
      server.url,
      'POST',
      '/v1/models/mlp:predict',
      `${'['.repeat(100)}${']'.repeat(100)}`,
      bearer(key),
    );
    assert.equal(deep.status, 400);
    assert.match((deep.body as { error: string }).error, /nested deeper than 64/);
  });

  it('serves /healthz, /metrics and /openapi.json', async () => {
    assert.deepEqual((await call(server.url, 'GET', '/healthz')).body, {
      status: 'ok',
      models: ['mlp'],
    });
    const metrics = (await call(server.url, 'GET', '/metrics')).text;
    assert.match(
      metrics,
      /keel_serve_requests_total\{route="\/v1\/models\/:nameVerb",method="POST",status="200"\} \d+/,
    );
    assert.match(metrics, /keel_serve_batch_size_count\{model="mlp"\} \d+/);
    assert.match(metrics, /keel_serve_process_resident_memory_bytes/);
    const doc = (await call(server.url, 'GET', '/openapi.json')).body as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    assert.equal(doc.openapi, '3.1.0');
    assert.ok('/v2/models/{name}/infer' in doc.paths && '/v1/completions' in doc.paths);
  });
});
