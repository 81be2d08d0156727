import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { GlobalMaxPooling2D } from '../../../src/nn/layers/global-max-pooling2d.js';
import { max } from '../../../src/ops/index.js';
import { Rng } from '../../../src/random/rng.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('GlobalMaxPooling2D', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new GlobalMaxPooling2D(),
      inputShape: [2, 3, 4, 5],
      expectedOutputShape: [2, 5],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    runLayerTest({
      layer: () => new GlobalMaxPooling2D({ keepdims: true }),
      inputShape: [1, 2, 2, 3],
      expectedOutputShape: [1, 1, 1, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('takes the maximum over height and width', () => {
    const x = rand([2, 3, 4, 5], 1);
    expectClose(new GlobalMaxPooling2D().apply(x), max(x, [1, 2]));
  });

  it('has correct gradients', () => {
    const p = new Rng(3).permutation(24);
    const x = tensor(
      Float32Array.from(p, (v) => v * 0.1),
      [2, 2, 3, 2],
    );
    const layer = new GlobalMaxPooling2D();
    expectGradOk((xi) => layer.apply(xi), [x]);
  });

  it('rejects inputs of the wrong rank naming the layer', () => {
    assert.throws(
      () => new GlobalMaxPooling2D({ name: 'gmp' }).apply(rand([2, 3])),
      /GlobalMaxPooling2D 'gmp': expected input \(None, height, width, channels\), got \(2, 3\)/,
    );
  });
});
