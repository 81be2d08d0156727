import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BatchNormalization } from '../../../src/nn/layers/batch-normalization.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

/** Per-channel (last axis) mean and biased variance of a [n, c] view of x. */
function channelStats(x: Tensor): { mean: number[]; variance: number[] } {
  const c = x.shape.at(-1)!;
  const n = x.size / c;
  const mean = new Array<number>(c).fill(0);
  const variance = new Array<number>(c).fill(0);
  for (let i = 0; i < x.size; i++) mean[i % c]! += x.data[i]! / n;
  for (let i = 0; i < x.size; i++) variance[i % c]! += (x.data[i]! - mean[i % c]!) ** 2 / n;
  return { mean, variance };
}

describe('BatchNormalization', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new BatchNormalization(),
      inputShape: [4, 3, 2, 5],
      expectedOutputShape: [4, 3, 2, 5],
      expectedNumWeights: 4,
      expectedNumTrainableWeights: 2,
      expectedWeightShapes: [[5], [5], [5], [5]],
    });
    runLayerTest({
      layer: () => new BatchNormalization({ axis: 1, center: false }),
      inputShape: [4, 3, 2],
      expectedOutputShape: [4, 3, 2],
      expectedNumWeights: 3,
      expectedNumTrainableWeights: 1,
      expectedWeightShapes: [[3], [3], [3]],
    });
  });

  it('orders weights gamma, beta, movingMean, movingVariance with the moving ones frozen', () => {
    const layer = new BatchNormalization({ name: 'bn' });
    layer.apply(rand([2, 3]));
    assert.deepEqual(
      layer.weights.map((w) => w.name),
      ['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance'],
    );
    assert.deepEqual(
      layer.nonTrainableWeights.map((w) => w.name),
      ['bn/moving_mean', 'bn/moving_variance'],
    );
    expectClose(layer.gamma!, [1, 1, 1]);
    expectClose(layer.movingVariance!, [1, 1, 1]);
  });

  it('normalizes with batch statistics in training and updates the moving statistics', () => {
    const layer = new BatchNormalization({ momentum: 0.9, epsilon: 1e-3 });
    const x = rand([6, 2, 3], 1, 2, 5);
    const { mean, variance } = channelStats(x);
    const y = layer.apply(x, { training: true });
    const want = [...x.data].map((v, i) => (v - mean[i % 3]!) / Math.sqrt(variance[i % 3]! + 1e-3));
    expectClose([...y.data], want, { atol: 1e-4 });
    expectClose(
      layer.movingMean!,
      mean.map((m) => 0.1 * m),
      { atol: 1e-5 },
    );
    expectClose(
      layer.movingVariance!,
      variance.map((v) => 0.9 + 0.1 * v),
      { atol: 1e-5 },
    );
    // A second step moves them again by the same rule.
    layer.apply(x, { training: true });
    expectClose(
      layer.movingMean!,
      mean.map((m) => 0.19 * m),
      { atol: 1e-5 },
    );
  });

  it('uses the moving statistics, gamma and beta at inference, without updating', () => {
    const layer = new BatchNormalization({ epsilon: 0.01 });
    const x = rand([5, 2], 2);
    layer.apply(x);
    layer.setWeights([tensor([2, 3]), tensor([0.5, -1]), tensor([0.1, -0.2]), tensor([4, 0.25])]);
    const y = layer.apply(x, { training: false });
    const g = [2, 3];
    const b = [0.5, -1];
    const m = [0.1, -0.2];
    const v = [4, 0.25];
    const want = [...x.data].map(
      (xi, i) => (g[i % 2]! * (xi - m[i % 2]!)) / Math.sqrt(v[i % 2]! + 0.01) + b[i % 2]!,
    );
    expectClose([...y.data], want, { atol: 1e-5 });
    expectClose(layer.movingMean!, m, { atol: 1e-7 });
  });

  it('normalizes along a non-last axis', () => {
    const layer = new BatchNormalization({ axis: 1, momentum: 0 });
    const x = rand([3, 2, 4], 3);
    layer.apply(x, { training: true });
    // momentum 0: the moving mean is exactly the batch mean of each axis-1 channel.
    const rows = x.array() as number[][][];
    const chan = [0, 1].map((c) => rows.flatMap((r) => r[c]!).reduce((a, b) => a + b, 0) / 12);
    expectClose(layer.movingMean!, chan, { atol: 1e-5 });
  });

  it('runs in inference mode when frozen, even with training=true', () => {
    const layer = new BatchNormalization({ trainable: false });
    const x = rand([4, 3], 4, 3, 6);
    const y = layer.apply(x, { training: true });
    expectClose(
      y,
      [...x.data].map((v) => v / Math.sqrt(1 + 1e-3)),
      { atol: 1e-5 },
    );
    expectClose(layer.movingMean!, [0, 0, 0]);
  });

  it('has correct gradients in training and inference mode', () => {
    const train = new BatchNormalization({
      gammaInitializer: 'randomNormal',
      betaInitializer: 'randomNormal',
    });
    expectLayerGradOk(train, rand([4, 3], 5), { callArgs: { training: true } });
    const infer = new BatchNormalization({
      gammaInitializer: 'randomNormal',
      betaInitializer: 'randomNormal',
    });
    expectLayerGradOk(infer, rand([2, 2, 3], 6), { callArgs: { training: false } });
  });

  it('rejects bad configs and inputs naming the layer', () => {
    assert.throws(
      () => new BatchNormalization({ momentum: 1.5 }),
      /BatchNormalization: momentum must be in \[0, 1\], got 1.5/,
    );
    assert.throws(
      () => new BatchNormalization({ epsilon: 0 }),
      /BatchNormalization: epsilon must be > 0/,
    );
    assert.throws(
      () => new BatchNormalization({ axis: 3, name: 'bn3' }).apply(rand([2, 3])),
      /BatchNormalization 'bn3': expected input a rank that has axis 3, got \(2, 3\)/,
    );
    const layer = new BatchNormalization({ name: 'bn4' });
    layer.apply(rand([2, 4, 3]));
    assert.throws(
      () => layer.apply(rand([2, 4, 5])),
      /BatchNormalization 'bn4': expected input \(None, \*, 3\), got \(2, 4, 5\)/,
    );
  });
});
