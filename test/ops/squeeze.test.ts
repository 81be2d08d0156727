import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { squeeze } from '../../src/ops/squeeze.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('squeeze', () => {
  it('removes all size-1 axes or the given ones', () => {
    const x = rand([1, 3, 1, 2, 1]);
    assert.deepEqual(squeeze(x).shape, [3, 2]);
    assert.deepEqual(squeeze(x, -1).shape, [1, 3, 1, 2]);
    assert.deepEqual(squeeze(x, [0, 2]).shape, [3, 2, 1]);
    expectClose(squeeze(x), x.data);
  });

  it('handles rank 0, all-ones shapes and empty tensors', () => {
    assert.deepEqual(squeeze(scalar(1)).shape, []);
    const one = squeeze(tensor([[[5]]]));
    assert.deepEqual(one.shape, []);
    expectClose(one, [5]);
    assert.deepEqual(squeeze(tensor(new Float32Array(0), [1, 0, 1])).shape, [0]);
    assert.equal(squeeze(tensor(Int32Array.from([4]), [1, 1])).dtype, 'int32');
  });

  it('has an identity gradient', () => {
    expectGradOk((x) => squeeze(x, 1), [rand([2, 1, 3], 1)]);
  });

  it('rejects axes whose size is not 1, and bad axes', () => {
    assert.throws(
      () => squeeze(rand([1, 3]), 1),
      /squeeze: cannot squeeze axis 1 of shape \[1, 3\]: its size is 3, not 1/,
    );
    assert.throws(() => squeeze(rand([1, 3]), 2), /squeeze: axis 2 is out of range/);
    assert.throws(() => squeeze(rand([1, 1]), [0, -2]), /squeeze: repeated axis/);
  });
});
