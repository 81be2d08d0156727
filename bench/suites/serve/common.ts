/**
 * What the `serve` contenders share: the seed CNN saved for `keel serve` and exported to ONNX for
 * the reference server (same weights), an API key, a server child process, and autocannon load
 * of batch-1 TF Serving requests ({"instances": [one 28x28x1 image]}) on loopback.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { saveOnnx } from '../../../src/io/index.js';
import { ServeStore } from '../../../src/serve/store/store.js';
import { buildKeelCnn } from '../common/keel-cnn.js';

export const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, '..', '..', '..');

export function option(name: string, fallback: string): string {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1]! : fallback;
}

/** A fresh folder with models/cnn/1/model.keel, cnn.onnx, serve.db and a key for it. */
export function setUp(): { dir: string; key: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'keel-bench-serve-'));
  const model = buildKeelCnn();
  mkdirSync(join(dir, 'models', 'cnn', '1'), { recursive: true });
  model.save(join(dir, 'models', 'cnn', '1', 'model.keel'));
  saveOnnx(model, join(dir, 'cnn.onnx'));
  const store = ServeStore.open(join(dir, 'serve.db'));
  const { key } = store.createKey('bench');
  store.close();
  return { dir, key, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The environment of a server: the harness's thread variables removed, so each server runs
 * with its own default threading (what a user gets: keel serve leaves the event loop a core,
 * ONNX Runtime uses every core).
 */
function serverEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of [
    'KEEL_NUM_THREADS',
    'OMP_NUM_THREADS',
    'OPENBLAS_NUM_THREADS',
    'MKL_NUM_THREADS',
  ])
    delete env[name];
  return env;
}

/** The `keel serve` command line (node arguments) for a setUp folder: one worker, no admin API. */
export function keelServeArgs(dir: string, port: number, extra: string[] = []): string[] {
  return [
    join(root, 'bin', 'keel.mjs'),
    'serve',
    '--model-dir',
    join(dir, 'models'),
    '--db',
    join(dir, 'serve.db'),
    '--port',
    String(port),
    '--no-admin',
    '--workers',
    '1',
    ...extra,
  ];
}

/** Starts `node args` and resolves once its output matches `ready`. */
export function startServer(args: string[], ready: RegExp): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: serverEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d;
      if (ready.test(out)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out.slice(-500)}`)));
  });
}

/** Stops a server and waits for it to exit. */
export async function stopServer(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.removeAllListeners('exit');
  child.once('exit', () => {});
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

const image = Array.from({ length: 28 }, (_, i) =>
  Array.from({ length: 28 }, (_, j) => [((i * 28 + j) % 17) / 17]),
);
export const BODY = JSON.stringify({ instances: [image] });

/** CPU time (user + system) of a process so far, ms (Linux /proc). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * `seconds` of autocannon at `connections` on a predict URL after a 1 s warm-up: requests/s,
 * latency p50/p99 (ms), and the server's CPU time per request (µs, all its threads).
 */
export async function measure(
  url: string,
  connections: number,
  seconds: number,
  server: ChildProcess,
  key: string | null,
) {
  const run = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections,
      duration,
      headers: {
        'content-type': 'application/json',
        ...(key ? { authorization: `Bearer ${key}` } : {}),
      },
      body: BODY,
    });
  await run(1);
  const cpu0 = cpuMs(server.pid!);
  const r = await run(seconds);
  const cpu = cpuMs(server.pid!) - cpu0;
  // keel serve: how many requests ran on the event loop rather than a worker (all of them, warm-up
  // included); the reference server has no /metrics.
  const metrics = await fetch(new URL('/metrics', url)).then(
    (m) => (m.ok ? m.text() : ''),
    () => '',
  );
  const inline = /^keel_serve_inline_requests_total\{[^}]*\} (\S+)$/m.exec(metrics);
  if (r.non2xx > 0 || r.errors > 0)
    throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return {
    throughput: r.requests.average,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    serverCpuUsPerRequest: (cpu * 1000) / Math.max(1, r.requests.total),
    ...(inline ? { inlineRequests: Number(inline[1]) } : {}),
    connections,
    seconds,
  };
}
