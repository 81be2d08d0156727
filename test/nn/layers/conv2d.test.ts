import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Conv2D } from '../../../src/nn/layers/conv2d.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { add, conv2d, relu } from '../../../src/ops/index.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

describe('Conv2D', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Conv2D(3, [3, 3], { activation: 'tanh' }),
      inputShape: [2, 5, 5, 2],
      input: rand([2, 5, 5, 2], 3, -0.5, 0.5),
      expectedOutputShape: [2, 3, 3, 3],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
      expectedWeightShapes: [[3, 3, 2, 3], [3]],
    });
    runLayerTest({
      layer: () => new Conv2D(2, 3, { strides: 2, padding: 'same', useBias: false }),
      inputShape: [1, 5, 4, 1],
      expectedOutputShape: [1, 3, 2, 2],
      expectedNumWeights: 1,
      expectedNumTrainableWeights: 1,
    });
    runLayerTest({
      layer: () => new Conv2D(2, [2, 3], { dilationRate: [2, 1], padding: 'valid' }),
      inputShape: [1, 6, 5, 2],
      input: rand([1, 6, 5, 2], 4, -0.5, 0.5),
      expectedOutputShape: [1, 4, 3, 2],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
    });
  });

  it('matches ops.conv2d plus bias and activation', () => {
    const layer = new Conv2D(4, [3, 2], {
      strides: [1, 2],
      padding: 'same',
      activation: 'relu',
      biasInitializer: 'randomNormal',
    });
    const x = rand([2, 6, 7, 3], 1);
    const y = layer.apply(x);
    const [kernel, bias] = layer.weights;
    const want = relu(add(conv2d(x, kernel!, { strides: [1, 2], padding: 'same' }), bias!));
    expectClose(y, want, { atol: 1e-6 });
  });

  it('has correct gradients with respect to input, kernel and bias', () => {
    const layer = new Conv2D(2, 2, { biasInitializer: 'randomNormal', activation: 'tanh' });
    expectLayerGradOk(layer, rand([1, 4, 3, 2], 2));
  });

  it('computes symbolic shapes, keeping unknown spatial sizes', () => {
    const layer = new Conv2D(8, 3, { padding: 'same', strides: 2 });
    assert.deepEqual(layer.apply(Input({ shape: [28, 28, 1] })).shape, [null, 14, 14, 8]);
    assert.deepEqual(new Conv2D(8, 3).computeOutputShape([null, null, 10, 3]), [null, null, 8, 8]);
  });

  it('builds from inputShape and serializes tuples', () => {
    const layer = new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] });
    assert.deepEqual(layer.batchInputShape, [null, 28, 28, 1]);
    const config = layer.getConfig();
    assert.deepEqual(config['kernelSize'], [3, 3]);
    assert.deepEqual(config['strides'], [1, 1]);
    assert.deepEqual(config['dilationRate'], [1, 1]);
    assert.equal(config['padding'], 'valid');
    assert.equal(config['dataFormat'], 'channels_last');
    assert.deepEqual(config['batchInputShape'], [null, 28, 28, 1]);
  });

  it('rejects bad configs and inputs with messages naming Conv2D and the shape', () => {
    assert.throws(() => new Conv2D(0, 3), /Conv2D: filters must be a positive integer, got 0/);
    assert.throws(
      () => new Conv2D(4, [3]),
      /Conv2D: kernelSize must be a positive integer or a tuple of 2/,
    );
    assert.throws(
      () => new Conv2D(4, 3, { padding: 'causal' as 'same' }),
      /Conv2D: padding must be 'valid' or 'same', got "causal"/,
    );
    assert.throws(
      () => new Conv2D(4, 3, { dataFormat: 'channels_first' as 'channels_last' }),
      /Conv2D: dataFormat "channels_first" is not supported/,
    );
    assert.throws(
      () => new Conv2D(4, 3, { strides: 2, dilationRate: 2 }),
      /Conv2D: strides > 1 cannot be combined with dilationRate > 1/,
    );
    const layer = new Conv2D(4, 3, { name: 'c' });
    assert.throws(
      () => layer.apply(rand([28, 28, 1])),
      /Conv2D 'c': expected input \(None, height, width, channels\).*got \(28, 28, 1\)/,
    );
    layer.apply(rand([1, 5, 5, 2]));
    assert.throws(
      () => layer.apply(rand([1, 5, 5, 3])),
      /Conv2D 'c': expected input \(None, height, width, 2\), got \(1, 5, 5, 3\)/,
    );
    assert.throws(
      () => layer.apply(rand([1, 2, 5, 2])),
      /Conv2D 'c': input \(1, 2, 5, 2\) is too small for kernelSize \[3,3\]/,
    );
  });
});
