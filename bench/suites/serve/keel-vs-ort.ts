/**
 * The `serve` suite: the seed CNN served by `keel serve` (dynamic batching, worker thread, auth +
 * metering) and by a minimal fastify + onnxruntime-node server of the same weights (its ONNX
 * export), batch-1 requests from autocannon at 1, 16 and 64 connections on loopback; then Keel
 * with --no-auth for the overhead of auth + metering. Prints one JSON line.
 * `node --import tsx bench/suites/serve/keel-vs-ort.ts [--seconds 5]`
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { saveOnnx } from '../../../src/io/index.js';
import { ServeStore } from '../../../src/serve/store/store.js';
import { buildKeelCnn } from '../common/keel-cnn.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const argv = process.argv.slice(2);
const seconds = Number(argv[argv.indexOf('--seconds') + 1] || 5);
const dir = mkdtempSync(join(tmpdir(), 'keel-bench-serve-'));
const model = buildKeelCnn();
mkdirSync(join(dir, 'models', 'cnn', '1'), { recursive: true });
model.save(join(dir, 'models', 'cnn', '1', 'model.keel'));
saveOnnx(model, join(dir, 'cnn.onnx'));
const db = join(dir, 'serve.db');
const store = ServeStore.open(db);
const { key } = store.createKey('bench');
store.close();

function start(args: string[], port: number, ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) =>
      reject(new Error(`server on ${port} exited ${code}: ${out.slice(-500)}`)),
    );
  });
}

const image = Array.from({ length: 28 }, (_, i) =>
  Array.from({ length: 28 }, (_, j) => [((i * 28 + j) % 17) / 17]),
);
const body = JSON.stringify({ instances: [image] });

async function measure(port: number, connections: number, auth: boolean) {
  const run = (duration: number) =>
    autocannon({
      url: `http://127.0.0.1:${port}/v1/models/cnn:predict`,
      method: 'POST',
      connections,
      duration,
      headers: {
        'content-type': 'application/json',
        ...(auth ? { authorization: `Bearer ${key}` } : {}),
      },
      body,
    });
  await run(1);
  const r = await run(seconds);
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`port ${port}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { throughput: r.requests.average, p99Ms: r.latency.p99, p50Ms: r.latency.p50 };
}

const keelArgs = (port: number, auth: boolean) => [
  join(root, 'bin', 'keel.mjs'),
  'serve',
  '--model-dir',
  join(dir, 'models'),
  '--db',
  db,
  '--port',
  String(port),
  '--no-admin',
  '--log-level',
  'warn',
  '--workers',
  '1',
  '--max-batch-size',
  '64',
  '--max-queue-delay-us',
  '500',
  ...(auth ? [] : ['--no-auth']),
];
const results: Record<string, unknown> = { suite: 'serve', seconds };
try {
  const keel = await start(keelArgs(18611, true), 18611, /model\(s\)/);
  const ort = await start(
    [join(here, 'ort-server.mjs'), join(dir, 'cnn.onnx'), '18612'],
    18612,
    /ready/,
  );
  for (const c of [1, 16, 64]) {
    // alternate the contenders' order between levels
    const order = c === 16 ? (['ort', 'keel'] as const) : (['keel', 'ort'] as const);
    for (const who of order)
      results[`${who}@${c}`] = await measure(who === 'keel' ? 18611 : 18612, c, who === 'keel');
  }
  keel.kill('SIGTERM');
  ort.kill('SIGTERM');
  const noAuth = await start(keelArgs(18613, false), 18613, /model\(s\)/);
  results['keel-no-auth@64'] = await measure(18613, 64, false);
  results['keel-auth@64-again'] = undefined;
  noAuth.kill('SIGTERM');
  const again = await start(keelArgs(18614, true), 18614, /model\(s\)/);
  results['keel-auth@64-again'] = await measure(18614, 64, true);
  again.kill('SIGTERM');
} finally {
  setTimeout(() => rmSync(dir, { recursive: true, force: true }), 2000).unref();
}
console.log(JSON.stringify(results));
