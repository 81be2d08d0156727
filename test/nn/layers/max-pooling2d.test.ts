import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MaxPooling2D } from '../../../src/nn/layers/max-pooling2d.js';
import { maxPool2d } from '../../../src/ops/index.js';
import { Rng } from '../../../src/random/rng.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

/** Distinct values 0.1 apart in random order, so no window has a near tie (finite differences). */
function distinct(shape: number[], seed: number) {
  const n = shape.reduce((a, b) => a * b, 1);
  const p = new Rng(seed).permutation(n);
  return tensor(
    Float32Array.from(p, (v) => (v - n / 2) * 0.1),
    shape,
  );
}

describe('MaxPooling2D', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new MaxPooling2D([2, 2]),
      inputShape: [2, 4, 5, 3],
      expectedOutputShape: [2, 2, 2, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    runLayerTest({
      layer: () => new MaxPooling2D(3, { strides: 2, padding: 'same' }),
      inputShape: [1, 5, 6, 2],
      expectedOutputShape: [1, 3, 3, 2],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('takes the window maximum like ops.maxPool2d', () => {
    const x = tensor([1, 5, 2, 0, 3, 4, 8, 6, 7, 1, 0, 2, 9, 3, 4, 5], [1, 4, 4, 1]);
    expectClose(new MaxPooling2D().apply(x), tensor([5, 8, 9, 5], [1, 2, 2, 1]));
    const y = rand([2, 7, 6, 3], 2);
    expectClose(
      new MaxPooling2D([3, 2], { strides: [2, 1] }).apply(y),
      maxPool2d(y, { poolSize: [3, 2], strides: [2, 1] }),
    );
  });

  it('accepts the options object alone and defaults strides to poolSize', () => {
    const layer = new MaxPooling2D({ poolSize: 3, padding: 'same' });
    assert.deepEqual(layer.poolSize, [3, 3]);
    assert.deepEqual(layer.strides, [3, 3]);
    assert.equal(layer.padding, 'same');
    assert.deepEqual(new MaxPooling2D().getConfig()['poolSize'], [2, 2]);
  });

  it('has correct gradients', () => {
    const layer = new MaxPooling2D(2, { strides: 1 });
    expectGradOk((x) => layer.apply(x), [distinct([1, 3, 4, 2], 1)]);
  });

  it('rejects bad configs and inputs naming the layer', () => {
    assert.throws(
      () => new MaxPooling2D([2, 0]),
      /MaxPooling2D: poolSize must be a positive integer or a tuple of 2/,
    );
    assert.throws(
      () => new MaxPooling2D(2, { padding: 'causal' as 'same' }),
      /MaxPooling2D: padding must be 'valid' or 'same'/,
    );
    assert.throws(
      () => new MaxPooling2D(2, { name: 'mp' }).apply(rand([4, 4, 1])),
      /MaxPooling2D 'mp': expected input \(None, height, width, channels\), got \(4, 4, 1\)/,
    );
    assert.throws(
      () => new MaxPooling2D(3, { name: 'mp2' }).apply(rand([1, 2, 4, 1])),
      /MaxPooling2D 'mp2': input \(1, 2, 4, 1\) is smaller than poolSize \[3,3\]/,
    );
  });
});
