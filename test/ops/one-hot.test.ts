import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { oneHot } from '../../src/ops/one-hot.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import { expectClose } from '../helpers.js';

describe('oneHot', () => {
  it('encodes int32 indices as float32 rows', () => {
    const y = oneHot(tensor(Int32Array.from([0, 2, 1])), 3);
    assert.equal(y.dtype, 'float32');
    expectClose(y, [
      [1, 0, 0],
      [0, 0, 1],
      [0, 1, 0],
    ]);
  });

  it('uses onValue and offValue, and can produce int32', () => {
    expectClose(oneHot([1], 3, 0.9, 0.05), [[0.05, 0.9, 0.05]]);
    const y = oneHot([2], 3, 1, 0, 'int32');
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [0, 0, 1]);
  });

  it('gives an all-off row for indices outside [0, depth), as TensorFlow does', () => {
    expectClose(oneHot([-1, 3, 1], 3, 5, -5), [
      [-5, -5, -5],
      [-5, -5, -5],
      [-5, 5, -5],
    ]);
  });

  it('handles rank 0, high rank and empty inputs', () => {
    expectClose(oneHot(scalar(1, 'int32'), 2), [0, 1]);
    const y = oneHot(
      [
        [[0], [1]],
        [[1], [0]],
      ],
      2,
    );
    assert.deepEqual(y.shape, [2, 2, 1, 2]);
    expectClose(y, [1, 0, 0, 1, 0, 1, 1, 0]);
    assert.deepEqual(oneHot([], 4).shape, [0, 4]);
    assert.deepEqual(oneHot([1, 2], 0).shape, [2, 0]);
  });

  it('rejects non-integer indices and bad depths', () => {
    assert.throws(
      () => oneHot(tensor([0, 1]), 2),
      /oneHot: argument 'indices' has dtype float32; expected int32/,
    );
    assert.throws(() => oneHot([1.5], 2), /oneHot: argument 'indices' must hold integers, got 1.5/);
    assert.throws(() => oneHot([0], -1), /oneHot: depth must be an integer >= 0, got -1/);
    assert.throws(() => oneHot([0], 2, 1, 0, 'bool'), /oneHot: argument 'dtype' has dtype bool/);
  });
});
