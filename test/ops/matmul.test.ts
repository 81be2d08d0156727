import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getBackend, listBackends, setBackend } from '../../src/backends/registry.js';
import { matMul } from '../../src/ops/matmul.js';
import { transpose } from '../../src/ops/transpose.js';
import { tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** The plain triple loop, the specification every matMul path is compared with. */
function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

/** The naive product on flat row-major storage, accumulated in float64. */
function naiveFlat(a: ArrayLike<number>, b: ArrayLike<number>, M: number, K: number, N: number) {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let k = 0; k < K; k++) {
      const v = a[i * K + k]!;
      for (let j = 0; j < N; j++) out[i * N + j]! += v * b[k * N + j]!;
    }
  return Array.from(out);
}

/** Runs fn with `backend` active, restoring the previous one. */
function onBackend(backend: string, fn: () => void): void {
  const previous = getBackend();
  setBackend(backend);
  try {
    fn();
  } finally {
    setBackend(previous);
  }
}

const FLAGS = [
  [false, false],
  [true, false],
  [false, true],
  [true, true],
] as const;

function transposed(m: number[][]): number[][] {
  return m[0]!.map((_, j) => m.map((row) => row[j]!));
}

describe('matMul', () => {
  it('multiplies 2-D matrices', () => {
    expectClose(
      matMul(
        tensor([
          [1, 2],
          [3, 4],
        ]),
        tensor([
          [5, 6],
          [7, 8],
        ]),
      ),
      [
        [19, 22],
        [43, 50],
      ],
    );
  });

  it('matches the naive product for every transpose combination on odd sizes', () => {
    const a = rand([7, 13], 1);
    const b = rand([13, 5], 2);
    const want = naive(a.array() as number[][], b.array() as number[][]);
    const aT = tensor(transposed(a.array() as number[][]));
    const bT = tensor(transposed(b.array() as number[][]));
    expectClose(matMul(a, b), want, { atol: 1e-5 });
    expectClose(matMul(aT, b, true, false), want, { atol: 1e-5 });
    expectClose(matMul(a, bT, false, true), want, { atol: 1e-5 });
    expectClose(matMul(aT, bT, true, true), want, { atol: 1e-5 });
  });

  it('matches the naive product for every transpose combination on larger odd sizes', () => {
    // 67x129 @ 129x33 spans several 4x4 tiles with ragged edges; the other two shapes cross the
    // GEMM's cache blocks (96 rows, 384 along K, 1024 columns) so every block boundary is exercised.
    for (const [M, K, N] of [
      [67, 129, 33],
      [101, 390, 9],
      [5, 390, 1030],
    ] as const) {
      const a = rand([M, K], M);
      const b = rand([K, N], N);
      const want = naiveFlat(a.data, b.data, M, K, N);
      const aT = transpose(a);
      const bT = transpose(b);
      // Every registered backend, so the TypeScript GEMM (the reference) is checked even when
      // a native backend is the default.
      for (const backend of listBackends()) {
        onBackend(backend, () => {
          for (const [tA, tB] of FLAGS) {
            const y = matMul(tA ? aT : a, tB ? bT : b, tA, tB);
            assert.deepEqual(y.shape, [M, N]);
            expectClose(y, want, { atol: 1e-4, rtol: 1e-4 });
          }
        });
      }
    }
  });

  it('propagates NaN and Infinity from either operand through the blocked kernel', () => {
    const a = rand([9, 7], 11);
    const b = rand([7, 6], 12);
    a.data[2 * 7 + 3] = Number.NaN;
    b.data[5 * 6 + 4] = Infinity;
    a.data[1 * 7 + 5] = 0; // 0 * Infinity is NaN, as in IEEE arithmetic
    const y = matMul(a, b).array() as number[][];
    for (let j = 0; j < 6; j++) assert.ok(Number.isNaN(y[2]![j]!), `row 2, column ${j}`);
    assert.ok(Number.isNaN(y[1]![4]!));
    assert.ok(Math.abs(y[0]![4]!) === Infinity || Number.isNaN(y[0]![4]!));
    assert.ok(Number.isFinite(y[0]![0]!));
  });

  it('broadcasts batch axes and treats rank-1 operands as vectors', () => {
    const a = rand([2, 3, 4], 3);
    const w = rand([4, 5], 4);
    const y = matMul(a, w);
    assert.deepEqual(y.shape, [2, 3, 5]);
    const a1 = (a.array() as number[][][])[1]!;
    expectClose(tensor((y.array() as number[][][])[1]!), naive(a1, w.array() as number[][]), {
      atol: 1e-5,
    });
    assert.deepEqual(matMul(tensor([1, 2]), tensor([[1], [2]])).shape, [1]);
    assert.deepEqual(matMul(tensor([[1, 2]]), tensor([3, 4])).shape, [1]);
  });

  it('handles empty dimensions', () => {
    assert.deepEqual(matMul(tensor(new Float32Array(0), [0, 3]), rand([3, 2])).shape, [0, 2]);
    expectClose(matMul(tensor(new Float32Array(0), [2, 0]), tensor(new Float32Array(0), [0, 3])), [
      [0, 0, 0],
      [0, 0, 0],
    ]);
  });

  it('propagates NaN and Infinity', () => {
    const y = matMul(tensor([[Number.NaN, 1]]), tensor([[1], [1]]));
    assert.ok(Number.isNaN(y.data[0]!));
    assert.equal(matMul(tensor([[Infinity, 1]]), tensor([[1], [1]])).data[0], Infinity);
  });

  it('has correct gradients for all transpose flags and batch broadcasting', () => {
    for (const [tA, tB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ] as const) {
      // a is [3, 4] either way; b's shape follows from which operand is transposed.
      expectGradOk(
        (a, b) => matMul(a, b, tA, tB),
        [rand([3, 4], 5), rand(tA === tB ? [4, 3] : [3, 4], 6)],
      );
    }
    expectGradOk((a, b) => matMul(a, b), [rand([2, 3, 4], 7), rand([4, 2], 8)]);
  });

  it('rejects mismatched inner dimensions and integer inputs with the shapes in the message', () => {
    assert.throws(
      () => matMul(rand([2, 3]), rand([4, 5])),
      /matMul: inner dimensions differ: \[2, 3\] @ \[4, 5\]/,
    );
    assert.throws(
      () => matMul(tensor([[1]], undefined, 'int32'), rand([1, 1])),
      /matMul: argument 'a' has dtype int32/,
    );
  });
});
