import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stack } from '../../src/ops/stack.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { build, valueAt } from './shape-reference.js';

describe('stack', () => {
  it('joins along a new first or last axis', () => {
    expectClose(
      stack([
        [1, 2],
        [3, 4],
      ]),
      [
        [1, 2],
        [3, 4],
      ],
    );
    expectClose(
      stack(
        [
          [1, 2],
          [3, 4],
        ],
        -1,
      ),
      [
        [1, 3],
        [2, 4],
      ],
    );
  });

  it('stacks scalars into a vector', () => {
    const y = stack([scalar(1), scalar(2), scalar(3)]);
    assert.deepEqual(y.shape, [3]);
    expectClose(y, [1, 2, 3]);
  });

  it('matches a naive reference on rank-3 inputs at every axis', () => {
    const xs = [rand([2, 3, 4], 1), rand([2, 3, 4], 2)];
    for (const axis of [0, 1, 2, 3, -1, -4]) {
      const a = axis < 0 ? axis + 4 : axis;
      const y = stack(xs, axis);
      expectClose(
        y,
        build(y.shape, (i) =>
          valueAt(
            xs[i[a]!]!,
            i.filter((_, d) => d !== a),
          ),
        ),
      );
    }
  });

  it('handles empty tensors and keeps the dtype', () => {
    assert.deepEqual(
      stack([tensor(new Float32Array(0), [0, 2]), rand([0, 2])], 1).shape,
      [0, 2, 2],
    );
    assert.equal(stack([tensor(Int32Array.from([1]))]).dtype, 'int32');
  });

  it('has the gradient of unstacking dy', () => {
    expectGradOk((a, b) => stack([a, b], 1), [rand([2, 3], 3), rand([2, 3], 4)]);
  });

  it('rejects different shapes, bad axes and no inputs', () => {
    assert.throws(
      () => stack([rand([2, 3]), rand([3, 2])]),
      /stack: all tensors must have the same shape, got \[2, 3\], \[3, 2\]/,
    );
    assert.throws(
      () => stack([rand([2]), rand([2])], 2),
      /stack: axis 2 is out of range for 2 tensors of shape \[2\]; expected an integer in \[-2, 1\]/,
    );
    assert.throws(() => stack([]), /stack: expected at least one tensor/);
  });
});
