/**
 * A short soak at saturation (autocannon, 16 connections, loopback): zero 5xx and zero lost usage
 * records (the SQLite count equals the 2xx responses). KEEL_SERVE_SOAK_SECONDS=600 runs the
 * issue's 10 minutes; the test prints RSS growth after warm-up and the event-loop delay p99.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import autocannon from 'autocannon';
import { saveMlp, tempDir, testServer } from './helpers.js';

const { dir, cleanup } = tempDir();
after(cleanup);
const seconds = Number(process.env['KEEL_SERVE_SOAK_SECONDS'] ?? 8);

describe('soak', () => {
  it(`${seconds} s at saturation: no 5xx, usage rows == 2xx responses`, async () => {
    saveMlp(join(dir, 'models'));
    const server = await testServer(dir);
    try {
      const { key, id } = server.store.createKey('soak');
      const load = (duration: number) =>
        autocannon({
          url: `${server.url}/v1/models/mlp:predict`,
          method: 'POST',
          connections: 16,
          duration,
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ instances: [[1, 2, 3, 4]] }),
        });
      const warm = await load(1);
      const rssWarm = process.memoryUsage().rss;
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      const result = await load(seconds);
      delay.disable();
      const rssGrowth = process.memoryUsage().rss / rssWarm - 1;
      server.usage.flush();
      const rows = server.store.db
        .prepare('SELECT COUNT(*) AS n FROM usage WHERE key_id = ? AND status BETWEEN 200 AND 299')
        .get(id) as { n: number };
      const ok = warm['2xx'] + result['2xx'];
      // autocannon stops counting at the deadline while the last requests still finish: the
      // server's own count of its 2xx answers is the exact reference, the client's a lower bound.
      const answered = (await server.metrics.requests.get()).values
        .filter((v) => v.labels.route === '/v1/models/:nameVerb' && v.labels.status === '200')
        .reduce((s, v) => s + v.value, 0);
      console.log(
        `soak: ${result['2xx']} 2xx in ${seconds} s (${(result['2xx'] / seconds).toFixed(0)}/s), p99 ${result.latency.p99} ms, ` +
          `non-2xx ${result.non2xx}, errors ${result.errors}, RSS growth ${(rssGrowth * 100).toFixed(1)}%, ` +
          `event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms`,
      );
      assert.equal(result['5xx'], 0);
      assert.equal(result.non2xx, 0);
      assert.equal(result.errors, 0);
      assert.ok(ok > 0);
      assert.equal(rows.n, answered, 'every 2xx response has its usage record');
      assert.ok(rows.n >= ok && rows.n - ok <= 32, `${rows.n} rows, ${ok} 2xx seen by the client`);
    } finally {
      await server.close();
    }
  });
});
