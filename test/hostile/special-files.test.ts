/**
 * Special files given to every reader: a FIFO (opening one blocks forever without O_NONBLOCK),
 * /dev/zero and /dev/urandom (endless reads), a directory and a Unix socket. Each must be refused
 * at once with an error naming the reader and the path; the cases run in a child with a timeout.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { expectError, runCases } from './child.js';

/** Each reader, as a case body reading the path in `P`. */
const READERS: Record<string, string> = {
  loadModel: 'M.loadModel(P);',
  readSafetensors: 'M.readSafetensors(P);',
  loadOnnx: 'M.loadOnnx(P);',
  loadTfjsModel: 'M.loadTfjsModel(P);',
  csv: 'await M.Dataset.csv(P).toArray();',
  textLines: 'await M.Dataset.textLines(P).toArray();',
  tokenizer: 'M.BytePairTokenizer.fromFiles(P, P);',
};

/** Imports the readers before the timed cases (module loading is not what is measured). */
const SETUP = `const M = {
  ...(await import(SRC + '/io/keel-format/model-file.ts')),
  ...(await import(SRC + '/io/safetensors-read.ts')),
  ...(await import(SRC + '/io/onnx/import.ts')),
  ...(await import(SRC + '/io/tfjs/tfjs-format.ts')),
  ...(await import(SRC + '/data/dataset/index.ts')),
  ...(await import(SRC + '/text/byte-pair-tokenizer.ts')),
};`;

describe('hostile: special files', () => {
  let dir: string;
  let server: Server;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'keel-special-'));
    execFileSync('mkfifo', [join(dir, 'fifo')]);
    mkdirSync(join(dir, 'folder'));
    server = createServer();
    await new Promise<void>((done) => server.listen(join(dir, 'socket'), done));
    // A tfjs model whose shard is a FIFO; an image folder and a shard set holding one.
    mkdirSync(join(dir, 'tfjs'));
    execFileSync('mkfifo', [join(dir, 'tfjs', 'shard.bin')]);
    writeFileSync(
      join(dir, 'tfjs', 'model.json'),
      JSON.stringify({
        modelTopology: {},
        weightsManifest: [{ paths: ['shard.bin'], weights: [] }],
      }),
    );
    mkdirSync(join(dir, 'images', 'cat'), { recursive: true });
    execFileSync('mkfifo', [join(dir, 'images', 'cat', 'a.png')]);
    mkdirSync(join(dir, 'shards'));
    execFileSync('mkfifo', [join(dir, 'shards', 'part-0.keel')]);
  });
  after(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every reader refuses a FIFO, /dev/zero, /dev/urandom, a directory, a socket, and a FIFO inside a model, image or shard folder', async () => {
    const targets: Record<string, string> = {
      fifo: join(dir, 'fifo'),
      zero: '/dev/zero',
      urandom: '/dev/urandom',
      folder: join(dir, 'folder'),
      socket: join(dir, 'socket'),
    };
    const cases: Record<string, string> = {};
    for (const [reader, code] of Object.entries(READERS)) {
      for (const [kind, path] of Object.entries(targets)) {
        cases[`${reader}/${kind}`] = `const P = ${JSON.stringify(path)}; ${code}`;
      }
    }
    cases['tfjsShard'] = `M.loadTfjsModel(${JSON.stringify(join(dir, 'tfjs', 'model.json'))});`;
    cases['imageFolder'] =
      `await M.Dataset.imageFolder(${JSON.stringify(join(dir, 'images'))}).toArray();`;
    cases['shards'] =
      `await M.Dataset.fromShards(${JSON.stringify(join(dir, 'shards'))}).toArray();`;
    const results = await runCases(cases, { timeoutMs: 90_000, setup: SETUP });
    // Inside a model folder, an image folder or a shard set.
    expectError(results, 'tfjsShard', /weight shard .*shard\.bin is a FIFO/);
    expectError(results, 'imageFolder', /Dataset\.imageFolder: .*a\.png is a FIFO/);
    expectError(results, 'shards', /Dataset\.fromShards: .*part-0\.keel is a FIFO/);
    const kinds: Record<string, RegExp> = {
      fifo: /is a FIFO \(named pipe\), not a regular file/,
      zero: /is a character device, not a regular file/,
      urandom: /is a character device, not a regular file/,
      folder: /is a directory, not a regular file/,
      socket: /cannot read .*socket|is a socket/,
    };
    for (const name of Object.keys(cases).filter((n) => n.includes('/'))) {
      const kind = name.split('/')[1]!;
      const o = expectError(results, name, kinds[kind]!);
      // A FIFO read blocks forever: 30 s bounds a hang, on however loaded a machine.
      assert.ok(o.ms < 30_000, `${name} took ${o.ms} ms`);
    }
  });
});
