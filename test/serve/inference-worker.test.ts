/** The worker's predict: batches cut into the plan sizes give exactly model.predict's rows. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import handle, { CHUNK_SIZES, chunksOf } from '../../src/serve/inference/inference-worker.js';
import type { PredictResult } from '../../src/serve/inference/wire.js';
import { kernelThreadsPerWorker } from '../../src/serve/inference/worker-pool.js';
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

  it('predicts odd batch sizes bit for bit as model.predict does, one or several inputs', () => {
    const { dir, cleanup } = tempDir();
    try {
      const mlp = saveMlp(dir);
      const two = saveTwoInOut(dir);
      for (const rows of [1, 3, 37, 70]) {
        const x = Float32Array.from({ length: rows * 4 }, (_, i) => Math.sin(i * 1.7));
        const out = handle({
          kind: 'predict',
          file: join(dir, 'mlp', '1', 'model.keel'),
          format: 'keel',
          inputs: [{ data: x.slice(), shape: [rows, 4] }],
        }) as PredictResult;
        const want = mlp.predict(tensor(x, [rows, 4]), { batchSize: 1000 }) as never as {
          data: Float32Array;
        };
        assert.deepEqual(out.outputs[0]!.shape, [rows, 2]);
        assert.deepEqual(Array.from(out.outputs[0]!.data), Array.from(want.data), `rows ${rows}`);

        const a = Float32Array.from({ length: rows * 2 }, (_, i) => i / 7);
        const b = Float32Array.from({ length: rows * 3 }, (_, i) => -i / 5);
        const both = handle({
          kind: 'predict',
          file: join(dir, 'two', '1', 'model.keel'),
          format: 'keel',
          inputs: [
            { data: a.slice(), shape: [rows, 2] },
            { data: b.slice(), shape: [rows, 3] },
          ],
        }) as PredictResult;
        const expected = two.predict([tensor(a, [rows, 2]), tensor(b, [rows, 3])], {
          batchSize: 1000,
        }) as never as { data: Float32Array }[];
        assert.equal(both.outputs.length, 2);
        for (let k = 0; k < 2; k++)
          assert.deepEqual(Array.from(both.outputs[k]!.data), Array.from(expected[k]!.data));
      }
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
