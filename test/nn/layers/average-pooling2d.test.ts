import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AveragePooling2D } from '../../../src/nn/layers/average-pooling2d.js';
import { avgPool2d } from '../../../src/ops/index.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('AveragePooling2D', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new AveragePooling2D([2, 2]),
      inputShape: [2, 4, 5, 3],
      expectedOutputShape: [2, 2, 2, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    runLayerTest({
      layer: () => new AveragePooling2D([2, 3], { strides: 1, padding: 'same' }),
      inputShape: [1, 3, 4, 2],
      expectedOutputShape: [1, 3, 4, 2],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('averages each window like ops.avgPool2d', () => {
    const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 5], [1, 4, 4, 1]);
    expectClose(new AveragePooling2D().apply(x), tensor([3.25, 4, 5, 2.75], [1, 2, 2, 1]));
    const y = rand([2, 5, 6, 3], 2);
    const opts = { poolSize: [3, 2] as [number, number], strides: [1, 2] as [number, number] };
    expectClose(
      new AveragePooling2D(opts.poolSize, { strides: opts.strides, padding: 'same' }).apply(y),
      avgPool2d(y, { ...opts, padding: 'same' }),
    );
  });

  it('has correct gradients', () => {
    const layer = new AveragePooling2D(2, { strides: 1, padding: 'same' });
    expectGradOk((x) => layer.apply(x), [rand([1, 3, 3, 2], 4)]);
  });

  it('rejects inputs of the wrong rank naming the layer', () => {
    assert.throws(
      () => new AveragePooling2D(2, { name: 'ap' }).apply(rand([2, 4])),
      /AveragePooling2D 'ap': expected input \(None, height, width, channels\), got \(2, 4\)/,
    );
  });
});
