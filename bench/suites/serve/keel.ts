/**
 * The `serve` suite's Keel contender: `keel serve` (one worker thread, dynamic batching up to 64)
 * of the seed CNN under autocannon at --connections, with API keys and usage metering on, or off
 * with --no-auth. Prints one JSON line.
 * `node --import tsx bench/suites/serve/keel.ts --connections 64 [--seconds 5] [--no-auth]`
 */
import { keelServeArgs, measure, option, setUp, startServer, stopServer } from './common.js';

const connections = Number(option('connections', '64'));
const seconds = Number(option('seconds', '5'));
const auth = !process.argv.includes('--no-auth');
const port = 18611 + (process.pid % 300);
const { dir, key, cleanup } = setUp();
try {
  const server = await startServer(
    keelServeArgs(dir, port, [
      '--log-level',
      'warn',
      '--max-batch-size',
      '64',
      ...(auth ? [] : ['--no-auth']),
    ]),
    /model\(s\)/,
  );
  try {
    const url = `http://127.0.0.1:${port}/v1/models/cnn:predict`;
    const result = await measure(url, connections, seconds, server, auth ? key : null);
    console.log(JSON.stringify({ ...result, auth, runtime: { server: 'keel serve' } }));
  } finally {
    await stopServer(server);
  }
} finally {
  cleanup();
}
