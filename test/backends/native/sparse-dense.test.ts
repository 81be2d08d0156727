import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { SparseDenseAttrs } from '../../../src/backends/kernels.js';
import { csrKernel } from '../../../src/ops/sparse-dense.js';
import { Rng } from '../../../src/random/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { forEachConfig, itNative, native, randomTensor, runOn } from './native-helpers.js';

/** A [K, N] kernel with about `sparsity` of its weights zero. */
function sparseKernel(K: number, N: number, sparsity: number, seed: number): Tensor {
  const w = randomTensor([K, N], seed);
  const rng = new Rng(seed + 1);
  for (let i = 0; i < w.size; i++) if (rng.uniform() < sparsity) w.data[i] = 0;
  return w;
}

describe('native sparseDense', () => {
  itNative('equals the TS kernel bit for bit on odd shapes, every ISA, 1/2/3 threads', () => {
    // [M, K, N, sparsity]: empty rows and columns, all-zero kernels, above the threading cutoff
    // (1M products).
    const shapes = [
      [1, 1, 1, 0],
      [1, 7, 3, 0.5],
      [3, 13, 19, 0.9],
      [1, 784, 300, 0.9],
      [5, 301, 99, 0.8],
      [2, 9, 5, 1],
      [300, 257, 33, 0.95],
      [40, 1001, 301, 0.9],
      [0, 5, 3, 0.5],
      [4, 0, 3, 0],
      [4, 5, 0, 0],
    ] as const;
    shapes.forEach(([M, K, N, sparsity], si) => {
      const x = randomTensor([M, K], si + 50);
      const w = csrKernel(sparseKernel(K, N, sparsity, si));
      const bias = randomTensor([N], si + 90);
      for (const relu of [false, true]) {
        const attrs: SparseDenseAttrs = { M, K, N, relu };
        const inputs = [x, w.rowPtr, w.colIdx, w.values, ...(relu ? [bias] : [])];
        const y = new Tensor(new Float32Array(M * N), [M, N], 'float32');
        const want = runOn('ts', 'sparseDense', inputs, [y], attrs)[0]!;
        forEachConfig((isa, threads) => {
          const got = runOn('native', 'sparseDense', inputs, [y], attrs)[0]!;
          assert.deepEqual(
            got.data,
            want.data,
            `[${M}, ${K}, ${N}] relu ${relu} ${isa} x${threads}`,
          );
        });
      }
    });
  });

  itNative('rejects indices and pointers out of range, naming the kernel', () => {
    const n = native as unknown as { sparseDense: (...a: unknown[]) => void };
    const x = new Float32Array(4);
    const y = new Float32Array(2);
    const ok = () => [new Int32Array([0, 1, 2]), new Int32Array([0, 3]), new Float32Array([1, 2])];
    const [rp, ci, v] = ok();
    n.sparseDense(x, rp, ci, v, null, y, 1, 4, 2, false);
    assert.deepEqual(Array.from(y), [0, 0]);
    assert.throws(
      () => n.sparseDense(x, rp, new Int32Array([0, 4]), v, null, y, 1, 4, 2, false),
      /sparseDense: a colIdx entry is outside \[0, K\)/,
    );
    assert.throws(
      () => n.sparseDense(x, new Int32Array([0, 2, 1]), ci, v, null, y, 1, 4, 2, false),
      /sparseDense: rowPtr/,
    );
    assert.throws(
      () => n.sparseDense(x, new Int32Array([0, 1, 3]), ci, v, null, y, 1, 4, 2, false),
      /sparseDense: rowPtr must have N \+ 1 entries/,
    );
  });
});
