import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { reverse } from '../../src/ops/reverse.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { build, valueAt } from './shape-reference.js';

describe('reverse', () => {
  it('reverses the given axes, or all of them', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectClose(reverse(x, 0), [
      [4, 5, 6],
      [1, 2, 3],
    ]);
    expectClose(reverse(x, -1), [
      [3, 2, 1],
      [6, 5, 4],
    ]);
    expectClose(reverse(x), [
      [6, 5, 4],
      [3, 2, 1],
    ]);
  });

  it('matches a naive reference on a rank-5 tensor (short and long rows)', () => {
    for (const last of [3, 17]) {
      const x = rand([2, 3, 1, 4, last], 1);
      for (const axes of [[1, 3], [0, -1], [4], [2]]) {
        const rev = axes.map((a) => (a < 0 ? a + 5 : a));
        expectClose(
          reverse(x, axes),
          build(x.shape, (i) =>
            valueAt(
              x,
              i.map((v, d) => (rev.includes(d) ? x.shape[d]! - 1 - v : v)),
            ),
          ),
        );
      }
    }
  });

  it('handles rank 0 and empty tensors, keeping the dtype', () => {
    expectClose(reverse(scalar(3)), [3]);
    assert.deepEqual(reverse(tensor(new Float32Array(0), [2, 0]), [0, 1]).shape, [2, 0]);
    const y = reverse(tensor(Int32Array.from([1, 2, 3])));
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [3, 2, 1]);
    expectClose(reverse(tensor([Number.NaN, -Infinity])), [-Infinity, Number.NaN]);
  });

  it('has the gradient of reversing dy', () => {
    expectGradOk((x) => reverse(x, [0, 2]), [rand([3, 2, 4], 2)]);
  });

  it('rejects bad and repeated axes', () => {
    assert.throws(
      () => reverse(rand([2, 3]), 2),
      /reverse: axis 2 is out of range for a tensor of rank 2/,
    );
    assert.throws(() => reverse(rand([2, 3]), [1, -1]), /reverse: repeated axis in \[1, -1\]/);
  });
});
