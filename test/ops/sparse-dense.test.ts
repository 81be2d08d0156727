import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConstantSparsity, pruneLowMagnitude, stripPruning } from '../../src/compress/index.js';
import { sparseKernelPays } from '../../src/compress/prune/strip-pruning.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { slice } from '../../src/ops/index.js';
import { csrKernel, sparseDense } from '../../src/ops/sparse-dense.js';
import { setSeed } from '../../src/random/rng.js';
import { randomNormal } from '../../src/random/tensors.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

/** Zeroes about `sparsity` of w's entries (every entry whose hash falls below it). */
function thin(w: Tensor, sparsity: number): Tensor {
  for (let i = 0; i < w.size; i++) if (((i * 2654435761) % 1000) / 1000 < sparsity) w.data[i] = 0;
  return w;
}

/**
 * y = x·W + b as the sparse kernel's contract fixes it: float32, unit j's q-th nonzero weight (in
 * input order) added into lane q % 8, lanes combined (l, l + 4), (l, l + 2), (0, 1), plus bias.
 */
function exact(x: Tensor, w: Tensor, b: Tensor | null, relu: boolean): number[] {
  const [K, N] = w.shape as [number, number];
  const M = x.size / K;
  const out: number[] = [];
  const f = Math.fround;
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      const s = [0, 0, 0, 0, 0, 0, 0, 0];
      let q = 0;
      for (let k = 0; k < K; k++) {
        const wk = w.data[k * N + j]!;
        if (wk === 0) continue;
        s[q & 7] = f(s[q & 7]! + f(x.data[i * K + k]! * wk));
        q++;
      }
      const t = [0, 1, 2, 3].map((l) => f(s[l]! + s[l + 4]!));
      let acc = f(f(t[0]! + t[2]!) + f(t[1]! + t[3]!));
      if (b) acc = f(acc + b.data[j]!);
      const v = Math.fround(acc);
      out.push(relu && !(v > 0) ? 0 : v);
    }
  return out;
}

describe('sparseDense', () => {
  it('csrKernel keeps the nonzeros per unit in input order', () => {
    const w = tensor([0, 2, 3, 0, 0, 5], [3, 2]);
    const c = csrKernel(w);
    assert.deepEqual(Array.from(c.rowPtr.data), [0, 1, 3]);
    assert.deepEqual(Array.from(c.colIdx.data), [1, 0, 2]);
    assert.deepEqual(Array.from(c.values.data), [3, 2, 5]);
  });

  it('equals x·W + b (float32 sums in the fixed lane order) on odd shapes, relu or linear', () => {
    setSeed(3);
    for (const [M, K, N, s] of [
      [1, 1, 1, 0],
      [1, 17, 5, 0.9],
      [3, 33, 7, 0.5],
      [2, 3, 4, 1],
      [6, 300, 13, 0.8],
    ] as const) {
      const x = randomNormal([M, K]);
      const w = thin(randomNormal([K, N]), s);
      const b = randomNormal([N]);
      for (const relu of [false, true]) {
        const y = sparseDense(x, csrKernel(w), relu ? b : undefined, relu ? 'relu' : 'linear');
        assert.deepEqual(y.shape, [M, N]);
        assert.deepEqual(
          Array.from(y.data),
          exact(x, w, relu ? b : null, relu),
          `[${M},${K},${N}]`,
        );
      }
    }
  });

  it('checks its arguments, naming the caller', () => {
    const w = csrKernel(tensor([1, 0, 0, 1], [2, 2]));
    assert.throws(
      () => sparseDense(randomNormal([1, 3]), w),
      /sparseDense: x \[1, 3\] does not fit a sparse kernel of 2 inputs/,
    );
    assert.throws(
      () => sparseDense(randomNormal([1, 2]), w, tensor([1, 2, 3])),
      /bias must be float32 \[2\]/,
    );
    assert.throws(
      () => csrKernel(randomNormal([2, 2, 2]), "Dense 'd'"),
      /Dense 'd': kernel must be \[inputs, units\]/,
    );
  });

  it('stripPruning turns the sparse kernel on only for large, 90%-sparse kernels', () => {
    const big = 2048 * 2048;
    assert.equal(sparseKernelPays(big, 0.9 * big), true);
    assert.equal(sparseKernelPays(big, Math.floor(0.9 * big)), true);
    assert.equal(sparseKernelPays(big, 0.85 * big), false);
    assert.equal(sparseKernelPays(784 * 300, 784 * 300), false);
    assert.equal(sparseKernelPays(1024 * 1024, 0.95 * 1024 * 1024), false);
  });

  it('a stripped 90%-pruned Dense runs small batches on the sparse kernel when asked, with the dense answers', async () => {
    setSeed(4);
    const model = new Sequential([
      new Dense(40, { activation: 'relu', inputShape: [30], name: 'h' }),
      new Dense(3, { activation: 'softmax', name: 'out' }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const handle = pruneLowMagnitude(model, {
      schedule: new ConstantSparsity({ targetSparsity: 0.9, beginStep: 0 }),
    });
    handle.updateMasks(0.9);
    const x = randomNormal([5, 30]);
    const before = model.predict(x) as Tensor;
    stripPruning(model);
    const h = model.getLayer('h') as Dense;
    // Too small for the sparse kernel to pay (SPARSE_KERNEL_MIN_WEIGHTS): asked for explicitly.
    assert.equal(h.usesSparseKernel, false);
    h.useSparseKernel();
    assert.equal(h.usesSparseKernel, true);
    const one = model.predict(slice(x, [0, 0], [1, 30])) as Tensor;
    const after = model.predict(x) as Tensor;
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(one.data[j]! - before.data[j]!) < 1e-6);
    after.data.forEach((v, i) => {
      assert.ok(Math.abs(v - before.data[i]!) < 1e-6);
    });
    // Training drops the sparse copy (the kernel may change).
    await model.fit(x, tensor(new Float32Array(15).fill(1 / 3), [5, 3]), { epochs: 1, verbose: 0 });
    assert.equal(h.usesSparseKernel, false);
  });
});
