import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unsortedSegmentSum } from '../../src/ops/unsorted-segment-sum.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { forEachIndex, valueAt } from './shape-reference.js';

describe('unsortedSegmentSum', () => {
  it('sums values and rows by segment, leaving empty segments at 0', () => {
    expectClose(unsortedSegmentSum([1, 2, 3, 4], [0, 2, 0, 2], 4), [4, 0, 6, 0]);
    expectClose(
      unsortedSegmentSum(
        [
          [1, 2],
          [3, 4],
          [5, 6],
        ],
        [1, 0, 1],
        2,
      ),
      [
        [3, 4],
        [6, 8],
      ],
    );
  });

  it('drops negative ids, as TensorFlow does', () => {
    expectClose(unsortedSegmentSum([1, 2, 3], [-1, 0, -1], 1), [2]);
  });

  it('matches a naive reference with 2-D ids on a rank-4 tensor', () => {
    const x = rand([3, 2, 4, 5], 1);
    const ids = [
      [2, 0],
      [2, -1],
      [4, 0],
    ];
    const y = unsortedSegmentSum(x, ids, 5);
    assert.deepEqual(y.shape, [5, 4, 5]);
    const want = new Float64Array(5 * 20);
    forEachIndex(x.shape, (i) => {
      const s = ids[i[0]!]![i[1]!]!;
      if (s >= 0) want[s * 20 + i[2]! * 5 + i[3]!]! += valueAt(x, i);
    });
    expectClose(y, Array.from(want), { atol: 1e-5 });
  });

  it('handles scalar ids, empty inputs and int32 data', () => {
    expectClose(unsortedSegmentSum([1, 2], scalar(1, 'int32'), 2), [
      [0, 0],
      [1, 2],
    ]);
    expectClose(unsortedSegmentSum(tensor(new Float32Array(0), [0, 2]), [], 2), [
      [0, 0],
      [0, 0],
    ]);
    assert.deepEqual(unsortedSegmentSum(rand([2, 3]), [0, 0], 0 + 1).shape, [1, 3]);
    const y = unsortedSegmentSum(tensor(Int32Array.from([1, 2, 3])), [0, 0, 1], 2);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [3, 3]);
    expectClose(unsortedSegmentSum([Number.NaN, 1, Infinity], [0, 1, 1], 2), [
      Number.NaN,
      Infinity,
    ]);
  });

  it('has the gradient of gathering dy by segment id (zero for dropped rows)', () => {
    expectGradOk((x) => unsortedSegmentSum(x, [1, 0, 1, 3], 4), [rand([4, 3], 2)]);
    expectGradOk(
      (x) =>
        unsortedSegmentSum(
          x,
          [
            [0, -1],
            [-1, 1],
          ],
          2,
        ),
      [rand([2, 2, 3], 3)],
    );
  });

  it('rejects out-of-range ids, non-prefix shapes and bad dtypes', () => {
    assert.throws(
      () => unsortedSegmentSum([1, 2], [0, 2], 2),
      /unsortedSegmentSum: segment id 2 is out of range for numSegments 2/,
    );
    assert.throws(
      () => unsortedSegmentSum(rand([3, 2]), [0, 1], 2),
      /unsortedSegmentSum: segmentIds shape \[2\] must be a prefix of x shape \[3, 2\]/,
    );
    assert.throws(
      () => unsortedSegmentSum([1], tensor([0]), 1),
      /unsortedSegmentSum: argument 'segmentIds' has dtype float32; expected int32/,
    );
    assert.throws(
      () => unsortedSegmentSum(tensor([true]), [0], 1),
      /unsortedSegmentSum: argument 'x' has dtype bool/,
    );
    assert.throws(
      () => unsortedSegmentSum([1], [0], -1),
      /numSegments must be an integer >= 0, got -1/,
    );
  });
});
