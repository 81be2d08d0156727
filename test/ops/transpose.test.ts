import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mul } from '../../src/ops/mul.js';
import { transpose } from '../../src/ops/transpose.js';
import { tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('transpose', () => {
  it('permutes axes, reversing them by default', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expectClose(transpose(x), [
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const y = transpose(rand([2, 3, 4], 1), [2, 0, 1]);
    assert.deepEqual(y.shape, [4, 2, 3]);
    assert.throws(() => transpose(x, [0, 0]), /transpose: perm \[0, 0\] is not a permutation/);
  });

  it('moving only size-1 axes keeps the element order (a view, no copy)', () => {
    const x = rand([2, 1, 3, 4], 2);
    const y = transpose(x, [0, 2, 1, 3]);
    assert.deepEqual(y.shape, [2, 3, 1, 4]);
    assert.equal(y.data, x.data);
    // The same values as the general path gives (here via an axis that is not size 1).
    const general = transpose(transpose(rand([2, 1, 3, 4], 2), [0, 2, 3, 1]), [0, 1, 3, 2]);
    assert.deepEqual(general.shape, [2, 3, 1, 4]);
    expectClose(y, general);
  });

  it('has correct gradients on both paths', () => {
    expectGradOk((x) => mul(transpose(x, [2, 0, 1]), 2), [rand([2, 3, 4], 3)]);
    expectGradOk((x) => mul(transpose(x, [1, 0, 2]), 2), [rand([1, 3, 2], 4)]);
  });
});
