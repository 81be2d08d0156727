import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Flatten } from '../../../src/nn/layers/flatten.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('Flatten', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Flatten(),
      inputShape: [2, 3, 4, 5],
      expectedOutputShape: [2, 60],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('keeps the values in row-major order and the batch axis', () => {
    const x = rand([2, 2, 3], 1);
    expectClose(new Flatten().apply(x), [...x.data]);
    assert.deepEqual(new Flatten().apply(rand([3])).shape, [3, 1]);
    assert.deepEqual(new Flatten().apply(rand([0, 2, 2])).shape, [0, 4]);
  });

  it('gives an unknown size when a dimension is unknown', () => {
    assert.deepEqual(new Flatten().apply(Input({ shape: [4, 5] })).shape, [null, 20]);
    assert.deepEqual(new Flatten().computeOutputShape([null, null, 5]), [null, null]);
  });

  it('has correct gradients', () => {
    const layer = new Flatten();
    expectGradOk((x) => layer.apply(x), [rand([2, 3, 2], 2)]);
  });

  it('rejects scalars and channels_first', () => {
    assert.throws(
      () => new Flatten({ name: 'f' }).apply(rand([])),
      /Flatten 'f': expected input \(None, \.\.\.\), got \(\)/,
    );
    assert.throws(
      () => new Flatten({ dataFormat: 'channels_first' as 'channels_last' }),
      /Flatten: dataFormat/,
    );
  });
});
