/** The worker's predict: raw bodies parsed and checked one by one, good ones batched, cut into the plan sizes, giving exactly model.predict's rows. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadModel } from '../../src/io/index.js';
import handle, { CHUNK_SIZES, chunksOf } from '../../src/serve/inference/inference-worker.js';
import type { PredictBodiesResult } from '../../src/serve/inference/wire.js';
import { kernelThreadsPerWorker } from '../../src/serve/inference/worker-pool.js';
import { signatureOf } from '../../src/serve/repository/signature.js';
import { tensor } from '../../src/tensor/create.js';
import { saveMlp, saveTwoInOut, tempDir } from './helpers.js';

describe('inference worker', () => {
  it('cuts any batch into at most 4 distinct plan sizes that add up to it', () => {
    for (let rows = 1; rows <= 300; rows++) {
      const chunks = chunksOf(rows);
      assert.equal(
        chunks.reduce((a, b) => a + b, 0),
        rows,
      );
      assert.ok(chunks.every((c) => (CHUNK_SIZES as readonly number[]).includes(c)));
      assert.deepEqual(
        chunks,
        [...chunks].sort((a, b) => b - a),
      );
    }
    assert.deepEqual(chunksOf(37), [16, 16, 4, 1]);
    assert.equal(new Set(CHUNK_SIZES).size, CHUNK_SIZES.length);
    assert.ok(CHUNK_SIZES.length <= 4, 'Keel keeps 4 inference plans per model');
  });

  it('answers each body of a batch on its own: rows bit for bit as model.predict, bad bodies 400, shapes grouped', () => {
    const { dir, cleanup } = tempDir();
    try {
      const mlp = saveMlp(dir);
      const two = saveTwoInOut(dir);
      const enc = new TextEncoder();
      const task = (protocol: 'tfserving' | 'kserve', file: string, bodies: string[]) => {
        const parts = bodies.map((b) => enc.encode(b));
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        const ends: number[] = [];
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          ends.push((at += p.length));
        }
        return handle({
          kind: 'predictBodies',
          file: join(dir, file, '1', 'model.keel'),
          format: 'keel',
          protocol,
          signature: signatureOf(loadModel(join(dir, file, '1', 'model.keel')), file),
          maxDepth: 8,
          bodies: all,
          ends,
        }) as PredictBodiesResult;
      };
      const rowsOf = (n: number, seed: number) =>
        Array.from({ length: n }, (_, r) =>
          Array.from({ length: 4 }, (_, c) => Math.fround(Math.sin(seed + r * 4 + c))),
        );
      const sizes = [1, 3, 37, 70];
      const bodies = sizes.map((n, i) => JSON.stringify({ instances: rowsOf(n, i) }));
      bodies.splice(
        2,
        0,
        '{"instances": [[1, 2, 3]]}',
        '{"instances": [[1, 2, 3, 4]]',
        '[[[[[[[[[[1]]]]]]]]]]',
      );
      const out = task('tfserving', 'mlp', bodies);
      assert.equal(out.results.length, sizes.length + 3);
      const bad = out.results.slice(2, 5);
      assert.ok(
        bad.every((r) => 'error' in r && r.status === 400),
        JSON.stringify(bad),
      );
      assert.match((bad[0] as { error: string }).error, /expected shape \[-1, 4\], got \[1, 3\]/);
      assert.match((bad[1] as { error: string }).error, /invalid JSON/);
      assert.match((bad[2] as { error: string }).error, /nested deeper than 8/);
      // The good ones ran as one batch of 111 rows.
      assert.deepEqual(
        out.batches.map((b) => b.rows),
        [111],
      );
      const good = out.results.filter((r) => !('error' in r));
      sizes.forEach((n, i) => {
        const r = good[i] as { outputs: { data: Float32Array; shape: number[] }[]; rows: number };
        const want = mlp.predict(tensor(rowsOf(n, i)), { batchSize: 1000 }) as never as {
          data: Float32Array;
        };
        assert.equal(r.rows, n);
        assert.deepEqual(r.outputs[0]!.shape, [n, 2]);
        assert.deepEqual(Array.from(r.outputs[0]!.data), Array.from(want.data), `rows ${n}`);
      });

      // Two inputs and two outputs, KServe's typed tensors.
      const a = [0.5, -1, 2, 0.25];
      const b = [1, 2, 3, -4, 5, 6];
      const kserve = task('kserve', 'two', [
        JSON.stringify({
          id: 'r1',
          inputs: [
            { name: 'a', shape: [2, 2], datatype: 'FP32', data: a },
            { name: 'b', shape: [2, 3], datatype: 'FP32', data: b },
          ],
        }),
        JSON.stringify({ inputs: [{ name: 'a', shape: [1, 2], datatype: 'INT32', data: [1, 2] }] }),
      ]);
      const expected = two.predict([tensor(a, [2, 2]), tensor(b, [2, 3])]) as never as {
        data: Float32Array;
      }[];
      const first = kserve.results[0] as { outputs: { data: Float32Array }[]; info: unknown };
      assert.deepEqual(first.info, { protocol: 'kserve', id: 'r1', wanted: ['sum', 'diff'] });
      for (let k = 0; k < 2; k++)
        assert.deepEqual(Array.from(first.outputs[k]!.data), Array.from(expected[k]!.data));
      assert.match((kserve.results[1] as { error: string }).error, /expected datatype FP32/);
    } finally {
      cleanup();
    }
  });

  it('leaves the event loop a core: kernel threads per worker', () => {
    assert.equal(kernelThreadsPerWorker(1, 2), 1);
    assert.equal(kernelThreadsPerWorker(1, 16), 15);
    assert.equal(kernelThreadsPerWorker(4, 16), 3);
    assert.equal(kernelThreadsPerWorker(8, 4), 1);
  });
});
