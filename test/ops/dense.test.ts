import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dense } from '../../src/ops/dense.js';
import { matMul } from '../../src/ops/matmul.js';
import { tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('dense', () => {
  it('computes x @ kernel + bias', () => {
    const y = dense(
      tensor([[1, 2]]),
      tensor([
        [1, 0, 2],
        [0, 1, 3],
      ]),
      tensor([10, 20, 30]),
    );
    expectClose(y, [[11, 22, 38]]);
    expectClose(dense(tensor([[1, 2]]), tensor([[1], [1]])), [[3]]);
  });

  it('folds leading axes and accepts a rank-1 input', () => {
    const x = rand([2, 3, 4], 1);
    const w = rand([4, 5], 2);
    const b = rand([5], 3);
    const y = dense(x, w, b);
    assert.deepEqual(y.shape, [2, 3, 5]);
    const flat = dense(tensor(x.data, [6, 4]), w, b);
    expectClose(y.data, flat.data);
    assert.deepEqual(dense(tensor([1, 2, 3, 4]), w).shape, [5]);
    expectClose(dense(tensor([1, 2, 3, 4]), w).data, matMul(tensor([[1, 2, 3, 4]]), w).data);
  });

  it('handles empty batches and propagates NaN', () => {
    assert.deepEqual(dense(tensor(new Float32Array(0), [0, 3, 4]), rand([4, 2])).shape, [0, 3, 2]);
    const y = dense(tensor([[Number.NaN, 1]]), tensor([[1], [1]]), tensor([0]));
    assert.ok(Number.isNaN(y.data[0]!));
  });

  it('has finite-difference gradients for x, kernel and bias', () => {
    expectGradOk((x, w, b) => dense(x, w, b), [rand([2, 3, 4], 4), rand([4, 3], 5), rand([3], 6)]);
    expectGradOk((x, w) => dense(x, w), [rand([3, 4], 7), rand([4, 2], 8)]);
  });

  it('names dense and the shapes when they do not fit', () => {
    assert.throws(
      () => dense(rand([32, 784]), rand([100, 10])),
      /dense: input \[32, 784\] does not end in the kernel's 100 input features \(kernel \[100, 10\]\)/,
    );
    assert.throws(
      () => dense(rand([2, 4]), rand([4])),
      /dense: expected kernel rank 2 \[in, out\], got \[4\]/,
    );
    assert.throws(
      () => dense(rand([2, 4]), rand([4, 3]), rand([4])),
      /dense: expected bias \[3\] for kernel \[4, 3\], got \[4\]/,
    );
    assert.throws(
      () => dense(tensor([[1, 2]], undefined, 'int32'), rand([2, 2])),
      /dense: argument 'x' has dtype int32/,
    );
  });
});
