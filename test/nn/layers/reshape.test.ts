import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { Reshape } from '../../../src/nn/layers/reshape.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('Reshape', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Reshape([4, 3]),
      inputShape: [2, 12],
      expectedOutputShape: [2, 4, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    runLayerTest({
      layer: () => new Reshape([-1, 2]),
      inputShape: [3, 2, 3, 2],
      expectedOutputShape: [3, 6, 2],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('keeps the values and infers -1', () => {
    const x = rand([2, 6], 1);
    const y = new Reshape([3, -1]).apply(x);
    assert.deepEqual(y.shape, [2, 3, 2]);
    expectClose([...y.data], [...x.data]);
    assert.deepEqual(new Reshape([28, 28, 1]).apply(Input({ shape: [784] })).shape, [
      null,
      28,
      28,
      1,
    ]);
    assert.deepEqual(new Reshape([-1, 4]).computeOutputShape([null, null, 4]), [null, null, 4]);
  });

  it('has correct gradients', () => {
    const layer = new Reshape([3, 2]);
    expectGradOk((x) => layer.apply(x), [rand([2, 6], 2)]);
  });

  it('rejects bad target shapes and sizes naming the layer', () => {
    assert.throws(
      () => new Reshape([-1, -1]),
      /Reshape: targetShape must be a list of positive integers with at most one -1, got \[-1,-1\]/,
    );
    assert.throws(() => new Reshape([0, 2]), /Reshape: targetShape/);
    assert.throws(
      () => new Reshape([28, 28, 2], { name: 'r' }).apply(rand([1, 784])),
      /Reshape 'r': cannot reshape input \(1, 784\) \(784 values per sample\) to targetShape \(28, 28, 2\)/,
    );
    assert.throws(
      () => new Reshape([5, -1], { name: 'r2' }).apply(rand([1, 12])),
      /Reshape 'r2': cannot reshape/,
    );
  });
});
