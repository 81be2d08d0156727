/**
 * A fast-check fuzz of malformed requests (bad JSON, wrong shapes and dtypes, huge numbers, deep
 * nesting, wrong content types, unknown models and versions, bad or revoked keys, exceeded
 * quotas): every answer is a 4xx with a message, never a 5xx or a crash, and the server's memory
 * (heap after a full collection) does not grow once the first fifth of the requests warmed it up.
 * KEEL_SERVE_FUZZ_RUNS=10000 runs the full count (default 600 for CI time).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import type { KeelServer } from '../../src/serve/server.js';
import { bearer, saveMlp, saveTwoInOut, tempDir, testServer } from './helpers.js';

const { dir, cleanup } = tempDir();
let server: KeelServer;
const keys: Record<string, string> = {};
const runs = Number(process.env['KEEL_SERVE_FUZZ_RUNS'] ?? 600);
/** Heap growth allowed from after the warm-up to the end (noise of a collected heap, not per request). */
const MAX_HEAP_GROWTH = 4 * 2 ** 20;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
/** The heap in use after full collections (the server runs in this process). */
async function heapAfterGc(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setImmediate(r));
  }
  return process.memoryUsage().heapUsed;
}

before(async () => {
  saveMlp(join(dir, 'models'));
  saveTwoInOut(join(dir, 'models'));
  server = await testServer(dir, { maxBodyBytes: 64 * 1024 });
  keys['good'] = server.store.createKey('fuzz').key;
  const revoked = server.store.createKey('fuzz');
  server.store.revokeKey(revoked.id);
  keys['revoked'] = revoked.key;
  const limited = server.store.createKey('fuzz');
  server.store.setQuota(limited.id, { requestsPerDay: 0 });
  keys['quota'] = limited.key;
  keys['bad'] = 'keel_' + 'x'.repeat(43);
});
after(async () => {
  await server.close();
  cleanup();
});

const number = fc.oneof(
  fc.double(),
  fc.constantFrom(1e39, -1e39, 1e308, 2 ** 31, 0.5),
  fc.integer(),
);
const json = fc.jsonValue({ maxDepth: 4 });
const tensorish = fc.oneof(
  fc.array(number, { maxLength: 6 }),
  fc.array(fc.array(number, { maxLength: 6 }), { maxLength: 4 }),
  json,
);
const body = fc.oneof(
  fc.record({ instances: tensorish }),
  fc.record({ inputs: fc.oneof(tensorish, fc.record({ a: tensorish, b: tensorish })) }),
  fc.record({ instances: tensorish, inputs: tensorish }),
  fc.record({ signature_name: fc.string(), instances: fc.constant([[1, 2, 3, 4]]) }),
  fc.record({
    inputs: fc.array(
      fc.record({
        name: fc.constantFrom('input', 'a', 'b', 'zzz'),
        shape: fc.oneof(fc.array(fc.integer({ min: -2, max: 6 }), { maxLength: 4 }), json),
        datatype: fc.constantFrom('FP32', 'INT32', 'FP64', 'BYTES', 7),
        data: tensorish,
      }),
      { maxLength: 3 },
    ),
  }),
  fc.record({
    model: fc.constantFrom('mlp', 'nope', 'mlp:9'),
    prompt: fc.oneof(fc.string(), tensorish),
    max_tokens: number,
  }),
  json,
);
const raw = fc.oneof(
  body.map((b) => JSON.stringify(b)),
  fc.string({ maxLength: 200 }),
  fc.nat({ max: 300 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
  fc.constant(`{"instances": [${'1,'.repeat(40_000)}1]}`),
  fc.constant('{"instances": [NaN, Infinity]}'),
);
const path = fc.oneof(
  fc.constantFrom(
    '/v1/models/mlp:predict',
    '/v1/models/two:predict',
    '/v1/models/mlp/versions/1:predict',
    '/v1/models/mlp/versions/9:predict',
    '/v1/models/mlp/labels/nope:predict',
    '/v1/models/nope:predict',
    '/v1/models/mlp:classify',
    '/v1/models/mlp:frobnicate',
    '/v2/models/mlp/infer',
    '/v2/models/two/infer',
    '/v2/models/mlp/versions/x/infer',
    '/v1/completions',
  ),
  fc.string({ maxLength: 40 }).map((s) => `/v1/models/${encodeURIComponent(s)}:predict`),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/octet-stream',
  'multipart/form-data; boundary=x',
  '',
);
const auth = fc.constantFrom(
  'good',
  'good',
  'good',
  'revoked',
  'quota',
  'bad',
  'none',
  'x-api-key',
);

describe('malformed requests', () => {
  it(`${runs} generated bad requests get only 4xx answers with a message`, async () => {
    const statuses = new Map<number, number>();
    const property = fc.asyncProperty(
      path,
      raw,
      contentType,
      auth,
      async (p, payload, type, who) => {
        const headers: Record<string, string> = {};
        if (type) headers['content-type'] = type;
        if (who === 'x-api-key') headers['x-api-key'] = keys['good']!;
        else if (who !== 'none') Object.assign(headers, bearer(keys[who]!));
        const r = await fetch(server.url + p, { method: 'POST', headers, body: payload });
        const text = await r.text();
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r.status === 200) return; // a well-formed request the generator happened to make
        assert.ok(
          r.status >= 400 && r.status < 500,
          `${r.status} for POST ${p} ${payload.slice(0, 200)}: ${text.slice(0, 300)}`,
        );
        const message = JSON.parse(text).error;
        assert.ok(
          typeof message === 'string' ? message.length > 0 : typeof message?.message === 'string',
          text,
        );
      },
    );
    const seed = Number(process.env['KEEL_SEED'] ?? 1);
    const warmup = Math.ceil(runs / 5);
    await fc.assert(property, { numRuns: warmup, seed });
    server.usage.flush();
    const heapWarm = await heapAfterGc();
    await fc.assert(property, { numRuns: runs - warmup, seed: seed + 1 });
    server.usage.flush();
    const heapEnd = await heapAfterGc();
    console.log(
      `fuzz: ${runs} requests, statuses ${JSON.stringify([...statuses])}, heap after warm-up ${(heapWarm / 2 ** 20).toFixed(1)} MiB, at the end ${(heapEnd / 2 ** 20).toFixed(1)} MiB`,
    );
    assert.ok(
      heapEnd - heapWarm < MAX_HEAP_GROWTH,
      `the heap grew ${((heapEnd - heapWarm) / 2 ** 20).toFixed(1)} MiB over ${runs - warmup} bad requests`,
    );
    assert.ok(
      (statuses.get(400) ?? 0) > 0 && (statuses.get(401) ?? 0) > 0,
      JSON.stringify([...statuses]),
    );
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200, 'the server is still up');
  });
});
