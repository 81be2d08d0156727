import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matMul } from '../../src/ops/matmul.js';
import { tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** The plain triple loop, the specification every matMul path is compared with. */
function naive(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
}

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
