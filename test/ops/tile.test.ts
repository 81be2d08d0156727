import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tile } from '../../src/ops/tile.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { build, valueAt } from './shape-reference.js';

describe('tile', () => {
  it('repeats along each axis', () => {
    expectClose(tile(tensor([[1, 2]]), [2, 3]), [
      [1, 2, 1, 2, 1, 2],
      [1, 2, 1, 2, 1, 2],
    ]);
    expectClose(tile(tensor([1, 2]), [2]), [1, 2, 1, 2]);
  });

  it('matches a naive reference on a rank-4 tensor', () => {
    const x = rand([2, 1, 3, 2], 1);
    const reps = [2, 3, 1, 2];
    const y = tile(x, reps);
    assert.deepEqual(y.shape, [4, 3, 3, 4]);
    expectClose(
      y,
      build(y.shape, (i) =>
        valueAt(
          x,
          i.map((v, d) => v % x.shape[d]!),
        ),
      ),
    );
  });

  it('handles rank 0, identity reps, zero reps and empty tensors', () => {
    const s = scalar(4);
    assert.equal(tile(s, []), s);
    assert.deepEqual(tile(rand([2, 3]), [0, 2]).shape, [0, 6]);
    assert.deepEqual(tile(tensor(new Float32Array(0), [0, 2]), [3, 1]).shape, [0, 2]);
    const y = tile(tensor(Int32Array.from([7])), [3]);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [7, 7, 7]);
    expectClose(tile(tensor([Number.NaN]), [2]), [Number.NaN, Number.NaN]);
  });

  it('has the gradient of summing dy over the tiles', () => {
    expectGradOk((x) => tile(x, [2, 1, 3]), [rand([2, 3, 2], 2)]);
    expectGradOk((x) => tile(x, [3]), [rand([1], 3)]);
  });

  it('rejects reps of the wrong length or with negative entries', () => {
    assert.throws(
      () => tile(rand([2, 3]), [2]),
      /tile: reps \[2\] must hold one integer >= 0 per axis of shape \[2, 3\]/,
    );
    assert.throws(() => tile(rand([2]), [-1]), /tile: reps \[-1\] must hold one integer >= 0/);
  });
});
