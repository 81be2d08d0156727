import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat } from '../../src/ops/concat.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { build, valueAt } from './shape-reference.js';

describe('concat', () => {
  it('joins along the first and last axes', () => {
    const a = tensor([
      [1, 2],
      [3, 4],
    ]);
    const b = tensor([[5, 6]]);
    expectClose(concat([a, b]), [
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expectClose(concat([a, tensor([[7], [8]])], -1), [
      [1, 2, 7],
      [3, 4, 8],
    ]);
    expectClose(concat([[1], [2, 3]]), [1, 2, 3]);
  });

  it('matches a naive reference on rank-4 tensors along a middle axis (long and short rows)', () => {
    for (const last of [3, 20]) {
      const xs = [rand([2, 3, 1, last], 1), rand([2, 3, 4, last], 2), rand([2, 3, 2, last], 3)];
      const y = concat(xs, -2);
      assert.deepEqual(y.shape, [2, 3, 7, last]);
      const starts = [0, 1, 5];
      expectClose(
        y,
        build(y.shape, (i) => {
          const k = i[2]! >= 5 ? 2 : i[2]! >= 1 ? 1 : 0;
          return valueAt(xs[k]!, [i[0]!, i[1]!, i[2]! - starts[k]!, i[3]!]);
        }),
      );
    }
  });

  it('handles empty tensors and a single input', () => {
    const a = rand([2, 3]);
    expectClose(concat([tensor(new Float32Array(0), [0, 3]), a]), a);
    assert.deepEqual(concat([tensor(new Float32Array(0), [2, 0]), a], 1).shape, [2, 3]);
    assert.deepEqual(concat([tensor(new Float32Array(0), [0, 2]), rand([0, 2])]).shape, [0, 2]);
    assert.equal(concat([a]), a);
  });

  it('keeps the dtype and passes NaN through', () => {
    const y = concat([tensor(Int32Array.from([1])), tensor(Int32Array.from([2, 3]))]);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [1, 2, 3]);
    expectClose(concat([[Number.NaN], [Infinity]]), [Number.NaN, Infinity]);
  });

  it('has the gradient of slicing dy back into pieces', () => {
    expectGradOk(
      (a, b, c) => concat([a, b, c], 1),
      [rand([2, 1, 3], 4), rand([2, 3, 3], 5), rand([2, 2, 3], 6)],
    );
    // The same tensor twice accumulates both slices.
    expectGradOk((a) => concat([a, a], -1), [rand([2, 3], 7)]);
  });

  it('rejects mismatched shapes listing them, mixed dtypes, scalars and no inputs', () => {
    assert.throws(
      () => concat([rand([2, 3]), rand([2, 4])]),
      /concat: shapes \[2, 3\], \[2, 4\] must have equal rank and agree on every axis but 0/,
    );
    assert.throws(
      () => concat([rand([2, 3]), rand([2, 3, 1])], 1),
      /concat: shapes \[2, 3\], \[2, 3, 1\] must have equal rank/,
    );
    assert.throws(
      () => concat([rand([2]), tensor(Int32Array.from([1]))]),
      /concat: all tensors must have the same dtype, got float32, int32/,
    );
    assert.throws(
      () => concat([scalar(1), scalar(2)]),
      /concat: cannot concatenate rank-0 tensors/,
    );
    assert.throws(
      () => concat([rand([2])], 1),
      /concat: axis 1 is out of range for a tensor of rank 1/,
    );
    assert.throws(() => concat([]), /concat: expected at least one tensor/);
  });
});
