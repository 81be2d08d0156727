/**
 * The `serve` suite's reference: a minimal fastify + onnxruntime-node server (ort-server.mjs) of
 * the seed CNN's ONNX export, the same weights Keel serves, under autocannon at --connections.
 * ONNX Runtime's intra-op threads: --threads, else KEEL_NUM_THREADS (the harness tries every core
 * and 1, keeping the better), else its default. Prints one JSON line.
 * `node --import tsx bench/suites/serve/ort.ts --connections 64 [--seconds 5] [--threads 1]`
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { here, measure, option, setUp, startServer, stopServer } from './common.js';

const connections = Number(option('connections', '64'));
const seconds = Number(option('seconds', '5'));
const threads = option('threads', process.env['KEEL_NUM_THREADS'] ?? '');
const port = 18911 + (process.pid % 300);
const { dir, cleanup } = setUp();
try {
  const server = await startServer(
    [
      join(here, 'ort-server.mjs'),
      join(dir, 'cnn.onnx'),
      String(port),
      ...(threads ? [threads] : []),
    ],
    /ready/,
  );
  try {
    const url = `http://127.0.0.1:${port}/v1/models/cnn:predict`;
    const result = await measure(url, connections, seconds, server, null);
    const ort = createRequire(import.meta.url)('onnxruntime-node/package.json').version;
    console.log(
      JSON.stringify({
        ...result,
        intraOpThreads: threads || 'default',
        runtime: { server: `fastify + onnxruntime-node ${ort}` },
      }),
    );
  } finally {
    await stopServer(server);
  }
} finally {
  cleanup();
}
