import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stack } from '../../src/ops/stack.js';
import { unstack } from '../../src/ops/unstack.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('unstack', () => {
  it('splits into tensors with the axis removed', () => {
    const x = tensor([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const rows = unstack(x);
    assert.equal(rows.length, 2);
    expectClose(rows[1]!, [4, 5, 6]);
    const cols = unstack(x, -1);
    assert.equal(cols.length, 3);
    expectClose(cols[2]!, [3, 6]);
  });

  it('gives scalars from a vector and round-trips with stack at high rank', () => {
    const parts = unstack(tensor([7, 8]));
    assert.deepEqual(parts[0]!.shape, []);
    expectClose(parts[1]!, [8]);
    const x = rand([2, 3, 2, 4, 2], 1);
    for (const axis of [0, 2, -1]) expectClose(stack(unstack(x, axis), axis), x);
  });

  it('handles empty tensors', () => {
    assert.deepEqual(unstack(tensor(new Float32Array(0), [0, 3])), []);
    assert.deepEqual(
      unstack(tensor(new Float32Array(0), [2, 0])).map((p) => p.shape),
      [[0], [0]],
    );
  });

  it('has the gradient of stacking the part gradients', () => {
    expectGradOk((x) => stack(unstack(x, 1).reverse(), 0), [rand([2, 3], 2)]);
  });

  it('rejects scalars and bad axes', () => {
    assert.throws(() => unstack(scalar(1)), /unstack: cannot unstack a rank-0 tensor/);
    assert.throws(
      () => unstack(rand([2]), -2),
      /unstack: axis -2 is out of range for a tensor of rank 1/,
    );
  });
});
