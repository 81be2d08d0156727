import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandDims } from '../../src/ops/expand-dims.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('expandDims', () => {
  it('inserts a size-1 axis at positive and negative positions', () => {
    const x = rand([3, 4]);
    assert.deepEqual(expandDims(x).shape, [1, 3, 4]);
    assert.deepEqual(expandDims(x, 1).shape, [3, 1, 4]);
    assert.deepEqual(expandDims(x, 2).shape, [3, 4, 1]);
    assert.deepEqual(expandDims(x, -1).shape, [3, 4, 1]);
    assert.deepEqual(expandDims(x, -3).shape, [1, 3, 4]);
    expectClose(expandDims(x, 1), x.data);
  });

  it('handles rank 0, high rank and empty tensors, keeping the dtype', () => {
    assert.deepEqual(expandDims(scalar(2)).shape, [1]);
    assert.deepEqual(expandDims(scalar(2), -1).shape, [1]);
    assert.deepEqual(expandDims(rand([2, 1, 3, 1, 2]), 3).shape, [2, 1, 3, 1, 1, 2]);
    assert.deepEqual(expandDims(tensor(new Float32Array(0), [0]), 0).shape, [1, 0]);
    assert.equal(expandDims(tensor(Int32Array.from([1]))).dtype, 'int32');
  });

  it('has an identity gradient', () => {
    expectGradOk((x) => expandDims(x, -2), [rand([2, 3], 1)]);
  });

  it('rejects out-of-range axes with the valid range', () => {
    assert.throws(
      () => expandDims(rand([3, 4]), 3),
      /expandDims: axis 3 is out of range for shape \[3, 4\]; expected an integer in \[-3, 2\]/,
    );
    assert.throws(() => expandDims(rand([3]), -3), /expandDims: axis -3 is out of range/);
    assert.throws(() => expandDims(rand([3]), 0.5), /expandDims: axis 0.5 is out of range/);
  });
});
