import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { logSoftmax } from '../../src/ops/log-softmax.js';
import { logSumExp } from '../../src/ops/log-sum-exp.js';
import { mul } from '../../src/ops/mul.js';
import { softmax } from '../../src/ops/softmax.js';
import { sum } from '../../src/ops/sum.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** Float64 reference along the last axis of a [rows, n] array, shifted by the row maximum. */
function refRows(rows: number[][], kind: 'softmax' | 'logSoftmax' | 'logSumExp'): number[] {
  return rows.flatMap((row) => {
    const m = Math.max(...row);
    const s = row.reduce((a, v) => a + Math.exp(v - m), 0);
    if (kind === 'logSumExp') return [m + Math.log(s)];
    return row.map((v) => (kind === 'softmax' ? Math.exp(v - m) / s : v - m - Math.log(s)));
  });
}

/** Moves `axis` of a [2, 3, 4] tensor's values to the end, as rows for refRows. */
function rowsAlong(x: Tensor, axis: number): number[][] {
  const [A, B, C] = x.shape as [number, number, number];
  const at = (i: number, j: number, k: number) => x.data[(i * B + j) * C + k]!;
  const rows: number[][] = [];
  if (axis === 2)
    for (let i = 0; i < A; i++)
      for (let j = 0; j < B; j++) rows.push(Array.from({ length: C }, (_, k) => at(i, j, k)));
  if (axis === 1)
    for (let i = 0; i < A; i++)
      for (let k = 0; k < C; k++) rows.push(Array.from({ length: B }, (_, j) => at(i, j, k)));
  if (axis === 0)
    for (let j = 0; j < B; j++)
      for (let k = 0; k < C; k++) rows.push(Array.from({ length: A }, (_, i) => at(i, j, k)));
  return rows;
}

describe('softmax and logSoftmax', () => {
  const x = rand([2, 3, 4], 21, -3, 3);

  it('match the float64 reference along the last axis by default', () => {
    expectClose(softmax(x), refRows(rowsAlong(x, 2), 'softmax'), { atol: 1e-6 });
    expectClose(logSoftmax(x), refRows(rowsAlong(x, 2), 'logSoftmax'), { atol: 1e-5 });
    expectClose(softmax(tensor([1, 2, 3])), [0.09003057, 0.24472847, 0.66524096]);
  });

  it('work along any axis (values compared after moving that axis last)', () => {
    for (const axis of [0, 1]) {
      const want = refRows(rowsAlong(x, axis), 'softmax');
      // softmax along `axis`, read back in the same row order as the reference.
      const got = rowsAlong(softmax(x, axis), axis).flat();
      expectClose(got, want, { atol: 1e-6 });
      const gotLog = rowsAlong(logSoftmax(x, axis - 3), axis).flat();
      expectClose(gotLog, refRows(rowsAlong(x, axis), 'logSoftmax'), { atol: 1e-5 });
    }
  });

  it('are stable for huge inputs: logSoftmax([1000, 0]) is finite', () => {
    expectClose(logSoftmax(tensor([1000, 0])), [0, -1000]);
    expectClose(softmax(tensor([1000, 0, -1000])), [1, 0, 0]);
    expectClose(logSoftmax(tensor([-1000, -1000])), [-Math.LN2, -Math.LN2]);
    expectClose(softmax(tensor([-Infinity, 0])), [0, 1]);
  });

  it('propagate NaN to the whole row, and only that row', () => {
    const y = softmax(
      tensor([
        [1, Number.NaN],
        [1, 1],
      ]),
    );
    expectClose(y, [Number.NaN, Number.NaN, 0.5, 0.5]);
  });

  it('keep high-rank and empty shapes and return float32 for int32 input', () => {
    assert.deepEqual(softmax(rand([2, 1, 3, 2])).shape, [2, 1, 3, 2]);
    assert.deepEqual(softmax(tensor(new Float32Array(0), [0, 4])).shape, [0, 4]);
    assert.deepEqual(logSoftmax(tensor(new Float32Array(0), [3, 0])).shape, [3, 0]);
    const y = softmax(tensor(Int32Array.from([0, 0])));
    assert.equal(y.dtype, 'float32');
    expectClose(y, [0.5, 0.5]);
  });

  it('have the right gradients along every axis', () => {
    const g = rand([2, 3, 4], 22, -2, 2);
    for (const axis of [0, 1, -1]) {
      expectGradOk((t) => softmax(t, axis), [g]);
      expectGradOk((t) => logSoftmax(t, axis), [g]);
    }
  });

  it('have the textbook gradients: d sum(w * softmax) = y (w - sum(w y))', () => {
    const t = tensor([1, 2, 3]);
    t.requiresGrad = true;
    const w = tensor([0.5, -1, 2]);
    const y = softmax(t).data;
    const wy = 0.5 * y[0]! - y[1]! + 2 * y[2]!;
    const want = [0.5, -1, 2].map((wi, i) => y[i]! * (wi - wy));
    expectClose(grad(sum(mul(softmax(t), w)), [t])[0]!, want);
  });

  it('reject rank 0, bad axes and bool input naming the op', () => {
    assert.throws(() => softmax(tensor(1)), /^RangeError: softmax: axis -1 is out of range/);
    assert.throws(() => logSoftmax(x, 3), /^RangeError: logSoftmax: axis 3 is out of range/);
    assert.throws(
      () => softmax(tensor([true])),
      /^TypeError: softmax: argument 'x' has dtype bool/,
    );
  });
});

describe('logSumExp', () => {
  const x = rand([2, 3, 4], 31, -3, 3);

  it('matches the float64 reference over one axis, several axes and all', () => {
    expectClose(logSumExp(x, -1), refRows(rowsAlong(x, 2), 'logSumExp'), { atol: 1e-5 });
    expectClose(logSumExp(x), refRows([Array.from(x.data)], 'logSumExp'), { atol: 1e-5 });
    const y = logSumExp(x, [0, 2], true);
    assert.deepEqual(y.shape, [1, 3, 1]);
    const rows = [0, 1, 2].map((j) =>
      [0, 1].flatMap((i) => Array.from(x.data.subarray((i * 3 + j) * 4, (i * 3 + j + 1) * 4))),
    );
    expectClose(y, refRows(rows, 'logSumExp'), { atol: 1e-5 });
  });

  it('never overflows and handles infinities, rank 0 and empty axes', () => {
    expectClose(logSumExp(tensor([1000, 1000])), [1000 + Math.LN2], { rtol: 1e-6 });
    expectClose(logSumExp(tensor([-1000, -1000])), [-1000 + Math.LN2], { rtol: 1e-6 });
    expectClose(logSumExp(tensor([-Infinity, -Infinity])), [-Infinity]);
    expectClose(logSumExp(tensor([Infinity, 0])), [Infinity]);
    expectClose(logSumExp(tensor([Number.NaN, 0])), [Number.NaN]);
    expectClose(logSumExp(tensor(2)), [2]);
    expectClose(logSumExp(tensor(new Float32Array(0), [2, 0]), 1), [-Infinity, -Infinity]);
  });

  it('has the softmax as its gradient', () => {
    expectGradOk((t) => logSumExp(t, 1), [x]);
    expectGradOk((t) => logSumExp(t, [0, 2], true), [x]);
    const t = tensor([1000, 0]);
    t.requiresGrad = true;
    expectClose(grad(logSumExp(t), [t])[0]!, [1, 0]);
  });

  it('rejects bool and bad axes naming the op', () => {
    assert.throws(
      () => logSumExp(tensor([true])),
      /^TypeError: logSumExp: argument 'x' has dtype bool/,
    );
    assert.throws(() => logSumExp(x, 5), /^RangeError: logSumExp: axis 5 is out of range/);
  });
});
