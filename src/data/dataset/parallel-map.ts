import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { decodeElement, encodeElement } from './codec.js';

/**
 * A function a worker thread can load: a module path (absolute, or a file URL) and the name of
 * its export, or a self-contained function (sent as source text, so it may not use variables
 * from its surrounding scope, imports or `this`).
 */
export type WorkerFn = { module: string; export: string } | ((x: never, index: number) => unknown);

// The worker: loads the function, then answers {id, value} messages in order of arrival.
// Tensors cross as plain {data, shape, dtype} records (see codec.ts) and are rebuilt on return.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { pathToFileURL } = require('node:url');
let fnPromise;
if (workerData.kind === 'module') {
  const url = workerData.module.startsWith('file:') ? workerData.module : pathToFileURL(workerData.module).href;
  fnPromise = import(url).then((m) => {
    const f = m[workerData.export];
    if (typeof f !== 'function') throw new Error('export ' + workerData.export + ' of ' + workerData.module + ' is not a function');
    return f;
  });
} else {
  fnPromise = Promise.resolve((0, eval)('(' + workerData.source + ')'));
}
// Tensor-like results ({data: typed array, shape, dtype}) are marked so the parent rebuilds them.
function mark(v) {
  if (Array.isArray(v)) return v.map(mark);
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v)) {
    if (ArrayBuffer.isView(v.data) && Array.isArray(v.shape) && typeof v.dtype === 'string') {
      return { __keelTensor: true, data: v.data, shape: v.shape, dtype: v.dtype };
    }
    const out = {};
    for (const k of Object.keys(v)) out[k] = mark(v[k]);
    return out;
  }
  return v;
}
parentPort.on('message', async ({ id, value, index }) => {
  try {
    const fn = await fnPromise;
    const out = await fn(value, index);
    parentPort.postMessage({ id, ok: true, value: mark(out) });
  } catch (e) {
    parentPort.postMessage({ id, ok: false, error: String(e && e.stack || e) });
  }
});
`;

/**
 * Maps `fn` over `source` on `numParallelCalls` worker threads, keeping the source's order and at
 * most 2 × numParallelCalls elements in flight (backpressure). Workers are ended when the
 * iteration finishes or stops early.
 */
export async function* parallelMapIterable(
  source: AsyncIterable<unknown>,
  fn: WorkerFn,
  numParallelCalls: number,
): AsyncGenerator<unknown> {
  const n = numParallelCalls === -1 ? availableParallelism() : numParallelCalls;
  const workerData =
    typeof fn === 'function'
      ? { kind: 'source', source: fn.toString() }
      : { kind: 'module', module: fn.module, export: fn.export };
  const workers = Array.from(
    { length: n },
    () => new Worker(WORKER_SOURCE, { eval: true, workerData }),
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  for (const w of workers) {
    w.on('message', (m: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const p = pending.get(m.id);
      pending.delete(m.id);
      if (m.ok) p?.resolve(decodeElement(m.value));
      else p?.reject(new Error(`Dataset.map (worker): ${m.error}`));
    });
    w.on('error', (e) => {
      for (const p of pending.values()) p.reject(new Error(`Dataset.map (worker): ${e.message}`));
      pending.clear();
    });
  }
  const inFlight: Promise<unknown>[] = [];
  let id = 0;
  try {
    for await (const x of source) {
      const myId = id++;
      const worker = workers[myId % n]!;
      const result = new Promise((resolve, reject) => {
        pending.set(myId, { resolve, reject });
        worker.postMessage({ id: myId, index: myId, value: encodeElement(x) });
      });
      result.catch(() => {}); // awaited in order below; this only marks an early failure handled
      inFlight.push(result);
      if (inFlight.length >= 2 * n) yield await inFlight.shift()!;
    }
    while (inFlight.length > 0) yield await inFlight.shift()!;
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
