import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { slice } from '../../src/ops/slice.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { build, valueAt } from './shape-reference.js';

describe('slice', () => {
  it('takes a block, with -1 meaning to the end', () => {
    const x = tensor([
      [1, 2, 3, 4],
      [5, 6, 7, 8],
      [9, 10, 11, 12],
    ]);
    expectClose(slice(x, [1, 1], [2, 2]), [
      [6, 7],
      [10, 11],
    ]);
    expectClose(slice(x, [0, 2], [-1, -1]), [
      [3, 4],
      [7, 8],
      [11, 12],
    ]);
    // A number is the first axis; missing trailing axes are taken whole.
    expectClose(slice(x, 2), [[9, 10, 11, 12]]);
    expectClose(slice(x, [1], [1]), [[5, 6, 7, 8]]);
    expectClose(slice(tensor([1, 2, 3, 4, 5]), 1, 3), [2, 3, 4]);
  });

  it('matches a naive reference on a rank-5 tensor', () => {
    const x = rand([3, 4, 2, 5, 3], 1);
    const begin = [1, 0, 1, 2, 0];
    const size = [2, -1, 1, 2, 3];
    const y = slice(x, begin, size);
    assert.deepEqual(y.shape, [2, 4, 1, 2, 3]);
    expectClose(
      y,
      build(y.shape, (i) =>
        valueAt(
          x,
          i.map((v, d) => v + begin[d]!),
        ),
      ),
    );
  });

  it('handles rank 0, empty results and empty inputs', () => {
    expectClose(slice(scalar(3), [], []), [3]);
    assert.deepEqual(slice(rand([3, 4]), [1, 2], [0, 2]).shape, [0, 2]);
    assert.deepEqual(slice(rand([3, 4]), [3, 4], [-1, -1]).shape, [0, 0]);
    assert.deepEqual(slice(tensor(new Float32Array(0), [0, 5]), [0, 1], [0, 3]).shape, [0, 3]);
  });

  it('keeps the dtype and passes NaN and Infinity through', () => {
    const i = slice(tensor(Int32Array.from([1, 2, 3])), [1]);
    assert.equal(i.dtype, 'int32');
    assert.deepEqual(Array.from(i.data), [2, 3]);
    assert.equal(slice(tensor([true, false, true]), [1], [1]).dtype, 'bool');
    expectClose(slice(tensor([0, Number.NaN, -Infinity]), [1]), [Number.NaN, -Infinity]);
  });

  it('has the gradient of a zero-padded copy', () => {
    expectGradOk((x) => slice(x, [1, 0, 2], [2, -1, 1]), [rand([4, 3, 5], 2)]);
    expectGradOk((x) => slice(x, [0, 1], [3, 0]), [rand([3, 2], 3)]);
  });

  it('rejects out-of-bounds begin and size, naming the shapes', () => {
    const x = rand([3, 4]);
    assert.throws(
      () => slice(x, [0, 5]),
      /slice: begin \[0, 5\] and size \[\] for a tensor of shape \[3, 4\]: begin\[1\] = 5 is outside \[0, 4\]/,
    );
    assert.throws(() => slice(x, [-1, 0]), /slice: .*begin\[0\] = -1 is outside \[0, 3\]/);
    assert.throws(
      () => slice(x, [1, 1], [3, 1]),
      /slice: .*size\[0\] = 3 does not fit axis 0 of size 3 from 1/,
    );
    assert.throws(() => slice(x, [0, 0], [-2, 1]), /size\[0\] = -2 does not fit/);
    assert.throws(() => slice(x, [0, 0, 0]), /begin may not be longer than the rank/);
    assert.throws(() => slice(x, [0], [1, 1]), /nor size longer than begin/);
  });
});
