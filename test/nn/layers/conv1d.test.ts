import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Conv1D } from '../../../src/nn/layers/conv1d.js';
import { add, conv1d } from '../../../src/ops/index.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

describe('Conv1D', () => {
  it('passes the shared layer checks for every padding', () => {
    for (const [padding, steps] of [
      ['valid', 5],
      ['same', 7],
      ['causal', 7],
    ] as const) {
      runLayerTest({
        layer: () => new Conv1D(3, 3, { padding, activation: 'tanh' }),
        inputShape: [2, 7, 2],
        expectedOutputShape: [2, steps, 3],
        expectedNumWeights: 2,
        expectedNumTrainableWeights: 2,
        expectedWeightShapes: [[3, 2, 3], [3]],
      });
    }
    runLayerTest({
      layer: () => new Conv1D(2, [2], { strides: 2, useBias: false }),
      inputShape: [1, 7, 3],
      expectedOutputShape: [1, 3, 2],
      expectedNumWeights: 1,
      expectedNumTrainableWeights: 1,
    });
  });

  it('matches ops.conv1d plus bias', () => {
    const layer = new Conv1D(4, 3, { padding: 'causal', dilationRate: 2, biasInitializer: 'ones' });
    const x = rand([2, 9, 3], 1);
    const y = layer.apply(x);
    const [kernel, bias] = layer.weights;
    expectClose(y, add(conv1d(x, kernel!, { padding: 'causal', dilationRate: 2 }), bias!), {
      atol: 1e-6,
    });
  });

  it('is causal: output t does not depend on inputs after t', () => {
    const layer = new Conv1D(1, 3, { padding: 'causal' });
    const x = rand([1, 6, 1], 2);
    const y1 = layer.apply(x);
    const x2 = x.clone();
    x2.data[5] = 100;
    const y2 = layer.apply(x2);
    expectClose([...y2.data].slice(0, 5), [...y1.data].slice(0, 5));
  });

  it('has correct gradients with respect to input, kernel and bias', () => {
    const layer = new Conv1D(2, 3, { padding: 'same', biasInitializer: 'randomNormal' });
    expectLayerGradOk(layer, rand([2, 5, 2], 3));
  });

  it('rejects bad configs and inputs naming Conv1D', () => {
    assert.throws(
      () => new Conv1D(2, [3, 3]),
      /Conv1D: kernelSize must be a positive integer, got \[3,3\]/,
    );
    assert.throws(
      () => new Conv1D(2, 3, { padding: 'full' as 'same' }),
      /Conv1D: padding must be 'valid' or 'same' or 'causal'/,
    );
    assert.throws(
      () => new Conv1D(2, 3, { name: 'c1' }).apply(rand([2, 5, 5, 1])),
      /Conv1D 'c1': expected input \(None, steps, channels\)/,
    );
  });
});
