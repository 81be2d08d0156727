import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GlobalAveragePooling2D } from '../../../src/nn/layers/global-average-pooling2d.js';
import { mean } from '../../../src/ops/index.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('GlobalAveragePooling2D', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new GlobalAveragePooling2D(),
      inputShape: [2, 3, 4, 5],
      expectedOutputShape: [2, 5],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    runLayerTest({
      layer: () => new GlobalAveragePooling2D({ keepdims: true }),
      inputShape: [2, 3, 4, 5],
      expectedOutputShape: [2, 1, 1, 5],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('averages over height and width', () => {
    const x = rand([2, 3, 4, 5], 1);
    expectClose(new GlobalAveragePooling2D().apply(x), mean(x, [1, 2]));
    assert.equal(new GlobalAveragePooling2D({ keepdims: true }).getConfig()['keepdims'], true);
  });

  it('has correct gradients', () => {
    const layer = new GlobalAveragePooling2D();
    expectGradOk((x) => layer.apply(x), [rand([2, 2, 3, 2], 2)]);
  });

  it('rejects inputs of the wrong rank naming the layer', () => {
    assert.throws(
      () => new GlobalAveragePooling2D({ name: 'gap' }).apply(rand([2, 3, 4])),
      /GlobalAveragePooling2D 'gap': expected input \(None, height, width, channels\), got \(2, 3, 4\)/,
    );
  });
});
