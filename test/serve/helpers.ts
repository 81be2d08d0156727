/** Shared set-up of the serving tests: a model folder, a server on 127.0.0.1 and a fetch wrapper. */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense, Reshape } from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { type KeelServer, type ServeOptions, startServer } from '../../src/serve/server.js';
import { tensor } from '../../src/tensor/create.js';
import '../../src/backends/index.js';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export function tempDir(prefix = 'keel-serve-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A 4 → 3 (relu) → 2 MLP, saved as DIR/<name>/<version>/model.keel; returns the model. */
export function saveMlp(modelDir: string, name = 'mlp', version = 1): Sequential {
  const model = new Sequential([
    new Dense(3, { inputShape: [4], activation: 'relu', name: 'hidden' }),
    new Dense(2, { name: 'scores' }),
  ]);
  const dir = join(modelDir, name, String(version));
  mkdirSync(dir, { recursive: true });
  model.save(join(dir, 'model.keel'));
  return model;
}

/** A functional model with two named inputs (a [2] and b [3]) and two outputs (sum, diff). */
export function saveTwoInOut(modelDir: string, name = 'two', version = 1): Model {
  const a = Input({ shape: [2], name: 'a' });
  const b = Input({ shape: [3], name: 'b' });
  const sum = new Dense(2, { name: 'sum' }).apply(a);
  const diff = new Dense(2, { name: 'diff' }).apply(b);
  const model = new Model({ inputs: [a, b], outputs: [sum, diff] });
  const dir = join(modelDir, name, String(version));
  mkdirSync(dir, { recursive: true });
  model.save(join(dir, 'model.keel'));
  return model;
}

export async function testServer(
  dir: string,
  options: Partial<ServeOptions> = {},
): Promise<KeelServer> {
  return startServer({
    modelDir: join(dir, 'models'),
    db: join(dir, 'serve.db'),
    port: 0,
    adminPort: 0,
    adminToken: ADMIN_TOKEN,
    workers: 1,
    pollMs: 0,
    logger: false,
    ...options,
  });
}

export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
  text: string;
}

/** One request; `body` as an object is sent as JSON, a string as is. */
export async function call(
  base: string,
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Answer> {
  const r = await fetch(base + path, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: r.status, headers: r.headers, body: parsed, text };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** TF Serving's example model: y = 0.5 x + 2 on scalar instances (input 'x' [batch]). */
export function saveHalfPlusTwo(modelDir: string, version = 1, slope = 0.5): Model {
  const x = Input({ shape: [], name: 'x' });
  const dense = new Dense(1, { name: 'half_plus_two' });
  const y = new Reshape([]).apply(dense.apply(new Reshape([1]).apply(x)));
  const model = new Model({ inputs: x, outputs: y });
  dense.setWeights([tensor(new Float32Array([slope]), [1, 1]), tensor(new Float32Array([2]), [1])]);
  const dir = join(modelDir, 'half_plus_two', String(version));
  mkdirSync(dir, { recursive: true });
  model.save(join(dir, 'model.keel'));
  return model;
}
