import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dense } from '../../../src/nn/layers/dense.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { l2 } from '../../../src/nn/regularizers/l2.js';
import { add, matMul, relu, softmax } from '../../../src/ops/index.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

describe('Dense', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Dense(4, { activation: 'tanh' }),
      inputShape: [2, 3],
      expectedOutputShape: [2, 4],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
      expectedWeightShapes: [[3, 4], [4]],
    });
    runLayerTest({
      layer: () => new Dense(5, { useBias: false, kernelRegularizer: 'l2' }),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 5],
      expectedNumWeights: 1,
      expectedNumTrainableWeights: 1,
    });
  });

  it('computes activation(x · kernel + bias) like a manual matMul', () => {
    const layer = new Dense(3, { activation: 'relu', biasInitializer: 'randomNormal' });
    const x = rand([4, 5], 1);
    const y = layer.apply(x);
    const [kernel, bias] = layer.weights;
    expectClose(y, relu(add(matMul(x, kernel!), bias!)), { atol: 1e-6 });
    const soft = new Dense(6, { activation: 'softmax' });
    expectClose(soft.apply(x), softmax(matMul(x, soft.weights[0]!)), { atol: 1e-6 });
  });

  it('uses glorotUniform kernels and zero biases by default', () => {
    const layer = new Dense(200);
    layer.apply(rand([1, 300]));
    const limit = Math.sqrt(6 / (300 + 200));
    const k = layer.weights[0]!.data;
    assert.ok(k.every((v) => Math.abs(v) <= limit));
    assert.ok(Math.max(...k) > 0.9 * limit);
    assert.ok(layer.weights[1]!.data.every((v) => v === 0));
  });

  it('has correct gradients with respect to input, kernel and bias', () => {
    const layer = new Dense(3, { activation: 'sigmoid', biasInitializer: 'randomNormal' });
    expectLayerGradOk(layer, rand([2, 4], 3));
  });

  it('collects regularization losses', () => {
    const layer = new Dense(2, { kernelRegularizer: l2(0.5), biasRegularizer: 'l1' });
    layer.apply(rand([1, 3]));
    const [kPenalty, bPenalty] = layer.regularizationLosses();
    const k = [...layer.weights[0]!.data];
    expectClose(kPenalty!, [0.5 * k.reduce((s, v) => s + v * v, 0)], { atol: 1e-6 });
    expectClose(bPenalty!, [0]);
  });

  it('infers symbolic output shapes', () => {
    const out = new Dense(7).apply(Input({ shape: [null, 3] }));
    assert.deepEqual(out.shape, [null, null, 7]);
  });

  it('serializes activations, initializers and regularizers by name', () => {
    const config = new Dense(3, {
      activation: 'leaky_relu',
      kernelInitializer: 'he_normal',
      kernelRegularizer: l2(0.001),
      name: 'd',
    }).getConfig();
    assert.equal(config['activation'], 'leakyRelu');
    assert.deepEqual(config['kernelInitializer'], {
      className: 'HeNormal',
      config: { seed: null },
    });
    assert.deepEqual(config['biasInitializer'], { className: 'Zeros', config: {} });
    assert.deepEqual(config['kernelRegularizer'], { className: 'L2', config: { l2: 0.001 } });
    assert.equal(config['biasRegularizer'], null);
    assert.equal(config['name'], 'd');
  });

  it('rejects bad configs and inputs with messages naming the layer and shapes', () => {
    assert.throws(() => new Dense(0), /Dense: units must be a positive integer, got 0/);
    assert.throws(() => new Dense(2.5), /Dense: units must be a positive integer/);
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => new Dense(2, { activation: 'nope' }),
      /Dense: activation: Unknown activation 'nope'/,
    );
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => new Dense(2, { kernelInitializer: 'nope' }),
      /Dense: kernelInitializer: Unknown initializer 'nope'/,
    );
    const layer = new Dense(10, { name: 'dense_in' });
    layer.apply(rand([2, 784]));
    assert.throws(
      () => layer.apply(rand([32, 28, 28])),
      /Dense 'dense_in': expected input \(None, 784\), got \(32, 28, 28\)/,
    );
    assert.throws(() => new Dense(3).apply(rand([4])), /Dense '.*': expected input/);
    assert.throws(
      () => new Dense(3, { name: 'raw' }).call(rand([2, 4])),
      /Dense 'raw': the layer is not built yet; call apply\(\) \(or build\(\)\) first/,
    );
  });
});
