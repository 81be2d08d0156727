/** Faults: a worker thread that dies mid-request, and new versions arriving while serving. */
import assert from 'node:assert/strict';
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/index.js';
import { bearer, call, saveHalfPlusTwo, tempDir, testServer } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);

describe('faults', () => {
  it('a worker killed during a request: the request gets 500 with the reason, the worker is replaced', async () => {
    const models = join(dir, 'models');
    const heavy = new Sequential([
      new Dense(2048, { inputShape: [256], activation: 'relu' }),
      new Dense(2048, { activation: 'relu' }),
      new Dense(2),
    ]);
    mkdirSync(join(models, 'heavy', '1'), { recursive: true });
    heavy.save(join(models, 'heavy', '1', 'model.keel'));
    const server = await testServer(dir, { db: join(dir, 'crash.db') });
    try {
      const { key } = server.store.createKey('acme');
      const x = Array.from({ length: 512 }, () => Array(256).fill(0.5));
      // Kill the threads once the request's task has been handed to the pool, not after a fixed
      // delay: on a fast idle machine the request can finish before any delay ends.
      const pool = server.inference.pool;
      const handOver = pool.predictBodies.bind(pool);
      let handed!: () => void;
      const inPool = new Promise<void>((r) => (handed = r));
      pool.predictBodies = (task) => {
        const answer = handOver(task);
        handed();
        return answer;
      };
      const request = call(
        server.url,
        'POST',
        '/v1/models/heavy:predict',
        { instances: x },
        bearer(key),
      );
      await inPool;
      for (const t of pool.threads) await t.terminate();
      const r = await request;
      assert.equal(r.status, 500);
      assert.match((r.body as { error: string }).error, /inference worker failed/);
      const again = await call(
        server.url,
        'POST',
        '/v1/models/heavy:predict',
        { instances: x.slice(0, 2) },
        bearer(key),
      );
      assert.equal(again.status, 200, again.text);
    } finally {
      await server.close();
    }
  });

  it('picks up a new version without a restart, drains the old one and keeps serving during the swap', async () => {
    const models = join(dir, 'reload-models');
    saveHalfPlusTwo(models, 1);
    const server = await testServer(dir, {
      modelDir: models,
      db: join(dir, 'reload.db'),
      pollMs: 100,
    });
    try {
      const { key } = server.store.createKey('acme');
      const ask = async () => {
        const r = await call(
          server.url,
          'POST',
          '/v1/models/half_plus_two:predict',
          { instances: [2] },
          bearer(key),
        );
        assert.equal(r.status, 200, r.text);
        return (r.body as { predictions: number[] }).predictions[0];
      };
      assert.equal(await ask(), 3);
      // Version 2 is written elsewhere and renamed in (as a deployment would), while requests run.
      const staging = join(dir, 'staging');
      saveHalfPlusTwo(staging, 2, 1);
      const seen = new Set<number>();
      let moved = false;
      for (let i = 0; i < 200 && !(moved && seen.has(4)); i++) {
        if (i === 5) {
          renameSync(join(staging, 'half_plus_two', '2'), join(models, 'half_plus_two', '2'));
          moved = true;
        }
        seen.add((await ask())!);
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.deepEqual([...seen].sort(), [3, 4], 'only old (3) or new (4) answers');
      const status = await call(server.url, 'GET', '/v1/models/half_plus_two');
      const versions = (
        status.body as { model_version_status: { version: string; state: string }[] }
      ).model_version_status;
      assert.deepEqual(
        versions.map((v) => [v.version, v.state]),
        [['2', 'AVAILABLE']],
      );
    } finally {
      await server.close();
    }
  });

  it('a model file overwritten in place while requests run (half written, then whole): answers are old or new, never an error', async () => {
    const models = join(dir, 'overwrite-models');
    saveHalfPlusTwo(models, 1);
    const server = await testServer(dir, {
      modelDir: models,
      db: join(dir, 'overwrite.db'),
      pollMs: 30,
    });
    try {
      const { key } = server.store.createKey('acme');
      const staging = join(dir, 'overwrite-staging');
      saveHalfPlusTwo(staging, 1, 1);
      const next = readFileSync(join(staging, 'half_plus_two', '1', 'model.keel'));
      const served = join(models, 'half_plus_two', '1', 'model.keel');
      const answers = new Map<string, number>();
      let stop = false;
      const clients = Array.from({ length: 4 }, async () => {
        while (!stop) {
          const r = await call(
            server.url,
            'POST',
            '/v1/models/half_plus_two:predict',
            { instances: [2] },
            bearer(key),
          );
          const answer =
            r.status === 200
              ? String((r.body as { predictions: number[] }).predictions[0])
              : `${r.status} ${r.text}`;
          answers.set(answer, (answers.get(answer) ?? 0) + 1);
        }
      });
      await new Promise((r) => setTimeout(r, 150));
      // Overwritten in place, not renamed: the first half, a pause longer than a poll, the rest.
      const fd = openSync(served, 'w');
      writeSync(fd, next, 0, next.length >> 1);
      await new Promise((r) => setTimeout(r, 200));
      assert.match(
        server.repository.errors.get('half_plus_two/1') ?? '',
        /./,
        'the half-written file was polled and refused',
      );
      writeSync(fd, next, next.length >> 1);
      closeSync(fd);
      for (let i = 0; i < 100 && !answers.has('4'); i++)
        await new Promise((r) => setTimeout(r, 30));
      await new Promise((r) => setTimeout(r, 100));
      stop = true;
      await Promise.all(clients);
      assert.deepEqual([...answers.keys()].sort(), ['3', '4'], JSON.stringify([...answers]));
      assert.equal(server.repository.errors.size, 0, 'the whole file loaded');
      assert.ok(answers.get('3')! > 0 && answers.get('4')! > 0);
    } finally {
      await server.close();
    }
  });
});
