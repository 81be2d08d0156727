import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Permute } from '../../../src/nn/layers/permute.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('Permute', () => {
  it('passes the layer harness', () => {
    runLayerTest({
      layer: () => new Permute([2, 1]),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 4, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('moves the non-batch axes (dims are 1-indexed)', () => {
    const x = tensor([
      [
        [1, 2, 3],
        [4, 5, 6],
      ],
    ]);
    const y = new Permute([2, 1]).apply(x);
    assert.deepEqual(y.shape, [1, 3, 2]);
    assert.deepEqual(Array.from(y.data), [1, 4, 2, 5, 3, 6]);
    assert.deepEqual(new Permute([3, 1, 2]).computeOutputShape([null, 5, 6, 7]), [null, 7, 5, 6]);
  });

  it('has a gradient', () => {
    const layer = new Permute([3, 1, 2]);
    expectGradOk((x) => layer.apply(x), [rand([2, 3, 4, 2])]);
  });

  it('rejects bad dims and inputs of the wrong rank', () => {
    assert.throws(() => new Permute([1, 1]), /Permute: dims must be a permutation of 1..n/);
    assert.throws(() => new Permute([0, 1]), /permutation/);
    assert.throws(
      () => new Permute([2, 1]).apply(tensor([[1, 2]])),
      /need inputs of rank 3, got rank 2/,
    );
  });
});
