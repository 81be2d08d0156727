import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { getKernel } from '../../../src/backends/index.js';
import type { MatMulAttrs } from '../../../src/backends/kernels.js';
import { Rng } from '../../../src/random/rng.js';
import {
  expectNormClose,
  forEachConfig,
  itNative,
  native,
  randomTensor,
  runBoth,
  zerosOf,
} from './native-helpers.js';

/** Compares the native and TS 'matMul' kernels on one problem under every ISA and thread count. */
function check(
  batch: number,
  M: number,
  N: number,
  K: number,
  tA: boolean,
  tB: boolean,
  shareB = false,
  seed = 1,
): void {
  const attrs: MatMulAttrs = {
    transposeA: tA,
    transposeB: tB,
    batch,
    M,
    N,
    K,
    aBatchStride: M * K,
    bBatchStride: shareB ? 0 : K * N,
  };
  const a = randomTensor([batch, tA ? K : M, tA ? M : K], seed);
  const b = randomTensor(
    shareB ? [tB ? N : K, tB ? K : N] : [batch, tB ? N : K, tB ? K : N],
    seed + 1,
  );
  const tol = K > 1000 ? 1e-4 : 1e-5;
  const what = `batch ${batch} M ${M} N ${N} K ${K} tA ${tA} tB ${tB}`;
  forEachConfig((isa, threads) => {
    // Garbage in the output: the op hands the kernels uninitialized storage to overwrite.
    const r = runBoth('matMul', [a, b], [randomTensor([batch, M, N], seed + 2)], attrs);
    expectNormClose(r.native[0]!, r.ts[0]!, tol, `${what} (${isa}, ${threads} threads)`);
  });
}

describe('native matMul', () => {
  itNative('matches the TS kernel on every transpose combination, odd sizes included', () => {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      check(1, 7, 13, 5, tA, tB);
      check(1, 37, 45, 67, tA, tB);
      check(1, 1, 33, 17, tA, tB);
      check(1, 65, 1, 9, tA, tB);
    }
  });

  itNative('matches on random shapes around the vector and tile widths', () => {
    const rng = new Rng(7);
    for (let t = 0; t < 12; t++) {
      const dim = () => 1 + Math.floor(rng.uniform() * 70);
      check(1, dim(), dim(), dim(), rng.uniform() < 0.5, rng.uniform() < 0.5, false, 10 + t);
    }
  });

  itNative('matches across cache-block edges (K > 256, M > 144, threaded)', () => {
    check(1, 150, 70, 300, false, false);
    check(1, 97, 131, 520, true, true);
    check(1, 3, 500, 200, false, true); // few rows: threads split the columns
    check(1, 300, 5, 180, true, false); // few columns: threads split the rows
  });

  itNative('matches when threads share packed B over many k blocks and column blocks', () => {
    // Rows enough for the shared-B split; K spans 4+ blocks of 256, so each of the two packed-B
    // buffers is reused; N past 4080 takes two column blocks.
    check(1, 61, 35, 1100, false, false);
    check(1, 130, 19, 777, true, true);
    check(1, 50, 4100, 30, false, true);
    check(1, 49, 4099, 7, true, false);
  });

  itNative('gives the same product on every repeat when threads share packed B', () => {
    // Several k steps, so a thread that races ahead into step s + 1 meets rows of C another
    // thread is still adding step s into (a race once seen here): back-to-back repeats, so the
    // pool's threads are all awake and overtake each other.
    for (const [M, N, K] of [
      [64, 600, 800],
      [96, 300, 1030],
    ] as const) {
      const attrs: MatMulAttrs = {
        transposeA: false,
        transposeB: false,
        batch: 1,
        M,
        N,
        K,
        aBatchStride: M * K,
        bBatchStride: K * N,
      };
      const a = randomTensor([M, K], 31);
      const b = randomTensor([K, N], 32);
      const want = zerosOf([M, N]);
      getKernel('matMul', 'ts')([a, b], [want], attrs);
      const kernel = getKernel('matMul', 'native');
      const ys = Array.from({ length: 12 }, () => zerosOf([M, N]));
      forEachConfig(
        (isa, threads) => {
          for (const y of ys) y.data.fill(0); // the kernel adds into its output
          for (const y of ys) kernel([a, b], [y], attrs);
          for (const [rep, y] of ys.entries()) {
            const what = `M ${M} N ${N} K ${K} (${isa}, ${threads} threads, repeat ${rep})`;
            expectNormClose(y, want, 1e-4, what);
          }
        },
        [2, 3],
      );
    }
  });

  itNative('adds into C with accumulate, on both threading paths', () => {
    const bind = native!;
    for (const [M, N, K, tA, tB] of [
      [100, 37, 600, false, false], // rows enough: shared packed B
      [5, 300, 260, true, true], // few rows: a grid of blocks
      [13, 9, 0, false, true], // K = 0 leaves C as it was
    ] as const) {
      const a = randomTensor([tA ? K : M, tA ? M : K], 21);
      const b = randomTensor([tB ? N : K, tB ? K : N], 22);
      const c0 = randomTensor([M, N], 23);
      const attrs: MatMulAttrs = {
        transposeA: tA,
        transposeB: tB,
        batch: 1,
        M,
        N,
        K,
        aBatchStride: M * K,
        bBatchStride: K * N,
      };
      const prod = zerosOf([M, N]);
      getKernel('matMul', 'ts')([a, b], [prod], attrs);
      const want = zerosOf([M, N]);
      for (let i = 0; i < M * N; i++) want.data[i] = c0.data[i]! + prod.data[i]!;
      forEachConfig((isa, threads) => {
        const c = c0.clone();
        bind.matMul(
          a.data as Float32Array,
          b.data as Float32Array,
          c.data as Float32Array,
          1,
          M,
          N,
          K,
          M * K,
          K * N,
          tA,
          tB,
          true,
        );
        expectNormClose(
          c,
          want,
          1e-5,
          `accumulate M ${M} N ${N} K ${K} (${isa}, ${threads} threads)`,
        );
      });
    }
  });

  itNative('handles batches, a shared right operand and long reductions', () => {
    check(5, 9, 17, 11, false, false);
    check(8, 40, 40, 40, false, true); // small products: one per thread
    check(4, 12, 8, 16, true, false, true);
    check(1, 4, 6, 1500, false, true);
  });

  itNative('handles empty dimensions', () => {
    for (const [M, N, K] of [
      [0, 3, 4],
      [3, 0, 4],
      [3, 4, 0],
      [0, 0, 0],
    ] as const)
      check(1, M, N, K, false, false);
    check(0, 3, 3, 3, false, false);
  });

  itNative('propagates NaN and Inf', () => {
    const attrs: MatMulAttrs = {
      transposeA: false,
      transposeB: false,
      batch: 1,
      M: 20,
      N: 20,
      K: 20,
      aBatchStride: 400,
      bBatchStride: 400,
    };
    const a = randomTensor([20, 20], 3);
    const b = randomTensor([20, 20], 4);
    a.data[5] = Number.NaN; // row 0
    b.data[20 * 3 + 19] = Number.POSITIVE_INFINITY; // column 19
    const y = zerosOf([20, 20]);
    getKernel('matMul', 'native')([a, b], [y], attrs);
    assert.ok(Number.isNaN(y.data[7]!));
    assert.ok(!Number.isFinite(y.data[20 * 5 + 19]!));
    assert.ok(Number.isFinite(y.data[20 * 5 + 18]!));
  });

  itNative('rejects storage that does not match the attrs', () => {
    const attrs: MatMulAttrs = {
      transposeA: false,
      transposeB: false,
      batch: 1,
      M: 4,
      N: 4,
      K: 4,
      aBatchStride: 16,
      bBatchStride: 16,
    };
    const k = getKernel('matMul', 'native');
    assert.throws(
      () => k([randomTensor([15], 1), randomTensor([16], 2)], [zerosOf([16])], attrs),
      /matMul \(native\): a has 15 elements, the attrs need 16/,
    );
    assert.throws(
      () => k([randomTensor([16], 1), randomTensor([16], 2)], [zerosOf([16])], { ...attrs, M: -1 }),
      /attr M must be a non-negative integer/,
    );
    assert.throws(
      () =>
        k([randomTensor([16], 1), randomTensor([16], 2)], [zerosOf([16])], { ...attrs, batch: 2 }),
      /a has 16 elements, the attrs need 32/,
    );
    assert.throws(
      () => k([randomTensor([16], 1), randomTensor([16], 2)], [zerosOf([16], 'int32')], attrs),
      /output must be float32/,
    );
  });
});
