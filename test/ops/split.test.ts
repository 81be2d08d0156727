import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat } from '../../src/ops/concat.js';
import { split } from '../../src/ops/split.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('split', () => {
  it('splits into equal parts', () => {
    const parts = split(tensor([[1, 2, 3, 4, 5, 6]]), 3, 1);
    assert.equal(parts.length, 3);
    expectClose(parts[0]!, [[1, 2]]);
    expectClose(parts[2]!, [[5, 6]]);
  });

  it('splits into given sizes, one of them inferred', () => {
    const [a, b, c] = split(tensor([1, 2, 3, 4, 5]), [1, -1, 2]) as [never, never, never];
    expectClose(a, [1]);
    expectClose(b, [2, 3]);
    expectClose(c, [4, 5]);
  });

  it('round-trips with concat on a rank-4 tensor along a negative axis', () => {
    const x = rand([2, 3, 6, 2], 1);
    const parts = split(x, [2, 0, 4], -2);
    assert.deepEqual(
      parts.map((p) => p.shape),
      [
        [2, 3, 2, 2],
        [2, 3, 0, 2],
        [2, 3, 4, 2],
      ],
    );
    expectClose(concat(parts, -2), x);
  });

  it('handles empty axes', () => {
    const parts = split(tensor(new Float32Array(0), [0, 3]), 2);
    assert.deepEqual(
      parts.map((p) => p.shape),
      [
        [0, 3],
        [0, 3],
      ],
    );
  });

  it('has the gradient of concatenating the part gradients', () => {
    expectGradOk((x) => concat(split(x, [1, 3], 1).reverse(), 1), [rand([2, 4], 2)]);
    expectGradOk((x) => split(x, 2, 0)[1]!, [rand([4, 3], 3)]);
  });

  it('rejects sizes that do not add up and numbers that do not divide', () => {
    assert.throws(
      () => split(rand([2, 5]), 2, 1),
      /split: cannot split axis 1 of shape \[2, 5\] into 2 equal parts \(the number must divide 5\)/,
    );
    assert.throws(
      () => split(rand([5]), [2, 2]),
      /split: sizes \[2, 2\] do not add up to axis 0 of shape \[5\]/,
    );
    assert.throws(() => split(rand([5]), [-1, -1]), /split: sizes \[-1, -1\] do not add up/);
    assert.throws(() => split(rand([5]), [6, -1]), /split: sizes \[6, -1\] do not add up/);
    assert.throws(() => split(scalar(1), 1), /split: cannot split a rank-0 tensor/);
    assert.throws(() => split(rand([2]), 1, 1), /split: axis 1 is out of range/);
  });
});
