import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tfjsToKeel } from '../../../src/io/tfjs/convert-config.js';
import type { SerializedObject } from '../../../src/nn/engine/serialization.js';
import * as L from '../../../src/nn/layers/index.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

const fromKeras = (className: string, config: Record<string, unknown>) =>
  L.deserializeLayer(tfjsToKeel({ class_name: className, config }) as SerializedObject);

describe('UnitNormalization', () => {
  it('passes the shared layer checks and scales to unit L2 norm', () => {
    runLayerTest({
      layer: () => new L.UnitNormalization(),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    expectClose(
      new L.UnitNormalization().apply(
        tensor([
          [3, 4],
          [0, 0],
        ]),
      ),
      [
        [0.6, 0.8],
        [0, 0],
      ],
    );
    const y = new L.UnitNormalization({ axis: [1, 2] })
      .apply(rand([2, 3, 2], 3))
      .array() as number[][][];
    for (const m of y) assert.ok(Math.abs(m.flat().reduce((s, v) => s + v * v, 0) - 1) < 1e-5);
    expectLayerGradOk(new L.UnitNormalization({ axis: 1 }), rand([2, 3], 4));
    assert.deepEqual(
      (fromKeras('UnitNormalization', { axis: [-1] }) as L.UnitNormalization).axis,
      [-1],
    );
    assert.throws(
      () => new L.UnitNormalization({ axis: 0, name: 'u' }).apply(rand([2, 3])),
      /UnitNormalization 'u': axis 0 is not a feature axis of input \[2, 3\]/,
    );
  });
});

/** Float64 group norm of NHWC-like data [batch, ..., C] with gamma, beta. */
function groupNormRef(
  x: number[][][],
  groups: number,
  gamma: number[],
  beta: number[],
  eps: number,
) {
  return x.map((sample) => {
    const c = sample[0]!.length;
    const per = c / groups;
    const out = sample.map((r) => [...r]);
    for (let g = 0; g < groups; g++) {
      const vals = sample.flatMap((r) => r.slice(g * per, (g + 1) * per));
      const m = vals.reduce((s, v) => s + v, 0) / vals.length;
      const v = vals.reduce((s, u) => s + (u - m) ** 2, 0) / vals.length;
      for (const [i, r] of sample.entries())
        for (let k = g * per; k < (g + 1) * per; k++)
          out[i]![k] = ((r[k]! - m) / Math.sqrt(v + eps)) * gamma[k]! + beta[k]!;
    }
    return out;
  });
}

describe('GroupNormalization', () => {
  it('passes the shared layer checks with weights gamma [C], beta [C]', () => {
    runLayerTest({
      layer: () =>
        new L.GroupNormalization({
          groups: 2,
          gammaInitializer: 'randomUniform',
          betaInitializer: 'randomUniform',
        }),
      inputShape: [2, 3, 3, 4],
      expectedOutputShape: [2, 3, 3, 4],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
      expectedWeightShapes: [[4], [4]],
    });
  });

  it('normalizes each group over its channels and the other axes', () => {
    const x = rand([2, 5, 6], 5, -3, 3);
    const layer = new L.GroupNormalization({ groups: 3, epsilon: 1e-3 });
    layer.apply(x);
    const gamma = [0.5, 1, 1.5, 2, -1, 0.25];
    const beta = [0, 0.1, -0.2, 0.3, 1, -1];
    layer.setWeights([tensor(gamma), tensor(beta)]);
    expectClose(layer.apply(x), groupNormRef(x.array() as number[][][], 3, gamma, beta, 1e-3), {
      atol: 1e-4,
    });
    // Channels on axis 1 normalize the same way as channels last.
    const first = new L.GroupNormalization({ groups: 3, axis: 1, center: false, scale: false });
    const xt = rand([2, 6, 5], 6);
    const moved = new L.GroupNormalization({ groups: 3, center: false, scale: false }).apply(
      tensor((xt.array() as number[][][]).map((s) => s[0]!.map((_, j) => s.map((r) => r[j]!)))),
    );
    const back = (moved.array() as number[][][]).map((s) =>
      s[0]!.map((_, j) => s.map((r) => r[j]!)),
    );
    expectClose(first.apply(xt), back, { atol: 1e-5 });
  });

  it('has correct gradients and loads Keras configs', () => {
    expectLayerGradOk(
      new L.GroupNormalization({ groups: 2, betaInitializer: 'randomUniform' }),
      rand([2, 3, 4], 7),
      { atol: 2e-3 },
    );
    const layer = fromKeras('GroupNormalization', {
      groups: 8,
      axis: -1,
      epsilon: 1e-5,
      center: true,
      scale: false,
      name: 'gn',
    }) as L.GroupNormalization;
    assert.equal(layer.groups, 8);
    assert.equal(layer.epsilon, 1e-5);
    assert.equal(layer.scale, false);
  });

  it('names the layer, groups and channels in errors', () => {
    assert.throws(
      () => new L.GroupNormalization({ groups: 3, name: 'g' }).apply(rand([2, 4, 4])),
      /GroupNormalization 'g': groups \(3\) must divide the 4 channels of input \[2, 4, 4\]/,
    );
    assert.throws(
      () => new L.GroupNormalization({ groups: 0 }),
      /GroupNormalization: groups must be a positive integer, got 0/,
    );
    assert.throws(
      () => new L.GroupNormalization({ epsilon: 0 }),
      /GroupNormalization: epsilon must be a number > 0/,
    );
  });
});

describe('Rescaling', () => {
  it('passes the shared layer checks and computes x·scale + offset', () => {
    runLayerTest({
      layer: () => new L.Rescaling(0.5, { offset: 1 }),
      inputShape: [2, 3],
      expectedOutputShape: [2, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    expectClose(
      new L.Rescaling(1 / 127.5, { offset: -1 }).apply(tensor([0, 127.5, 255])),
      [-1, 0, 1],
    );
    expectClose(
      new L.Rescaling([1, 2], { offset: [0, -1] }).apply(
        tensor([
          [1, 1],
          [2, 2],
        ]),
      ),
      [
        [1, 1],
        [2, 3],
      ],
    );
    expectLayerGradOk(new L.Rescaling(3), rand([2, 2]));
    const k = fromKeras('Rescaling', {
      scale: 0.00392156862745098,
      offset: 0,
      name: 'rs',
    }) as L.Rescaling;
    assert.equal(k.scale, 0.00392156862745098);
    assert.throws(
      () => new L.Rescaling(Number.NaN),
      /Rescaling: scale must be a finite number or a list of them/,
    );
    assert.throws(
      () => new L.Rescaling([1, 2, 3], { name: 'r' }).apply(rand([2, 2])),
      /Rescaling 'r': 3 factors do not match the 2 channels of input \[2, 2\]/,
    );
  });
});

describe('Normalization', () => {
  it('passes the shared layer checks with weights mean, variance, count (non-trainable)', () => {
    runLayerTest({
      layer: () => new L.Normalization(),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 3,
      expectedNumTrainableWeights: 0,
      expectedWeightShapes: [[4], [4], []],
    });
    runLayerTest({
      layer: () => new L.Normalization({ mean: [1, 2], variance: [4, 9] }),
      inputShape: [3, 2],
      expectedOutputShape: [3, 2],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('adapts per-feature mean and variance, the same for any batching', () => {
    const data = rand([50, 3], 9, -4, 10);
    const rows = data.array() as number[][];
    const mean = [0, 1, 2].map((j) => rows.reduce((s, r) => s + r[j]!, 0) / rows.length);
    const variance = [0, 1, 2].map(
      (j) => rows.reduce((s, r) => s + (r[j]! - mean[j]!) ** 2, 0) / rows.length,
    );
    const whole = new L.Normalization();
    whole.adapt(data);
    expectClose(whole.mean!, mean, { atol: 1e-5 });
    expectClose(whole.variance!, variance, { atol: 1e-4 });
    assert.equal(whole.count!.item(), 50);
    const batched = new L.Normalization();
    batched.adapt([rows.slice(0, 7), rows.slice(7, 30), rows.slice(30)].map((r) => tensor(r)));
    expectClose(batched.mean!, mean, { atol: 1e-5 });
    expectClose(batched.variance!, variance, { atol: 1e-4 });
    const y = whole.apply(data).array() as number[][];
    expectClose(
      y,
      rows.map((r) => r.map((v, j) => (v - mean[j]!) / Math.sqrt(variance[j]!))),
      { atol: 1e-5 },
    );
    const inverse = new L.Normalization({ mean, variance, invert: true });
    expectClose(inverse.apply(tensor(y)), data, { atol: 1e-4 });
  });

  it('adapts over several kept axes or none, and from an async iterable', async () => {
    const x = rand([4, 2, 3], 10);
    const perCell = new L.Normalization({ axis: [1, 2] });
    perCell.adapt(x);
    assert.deepEqual(perCell.mean!.shape, [2, 3]);
    const scalar = new L.Normalization({ axis: null });
    await scalar.adapt(
      (async function* () {
        yield x;
      })(),
    );
    assert.deepEqual(scalar.mean!.shape, []);
    const all = [...x.data];
    expectClose(scalar.mean!, [all.reduce((s, v) => s + v, 0) / all.length], { atol: 1e-6 });
    expectLayerGradOk(perCell, x);
  });

  it('loads Keras configs (mean and variance lists included) and names the layer in errors', () => {
    const k = fromKeras('Normalization', {
      axis: [-1],
      mean: [1, 2],
      variance: [1, 4],
      invert: false,
      name: 'n',
    });
    expectClose(k.apply(tensor([[2, 4]])) as never, [[1, 1]]);
    assert.throws(
      () => new L.Normalization({ mean: 1 }),
      /Normalization: give both mean and variance, or neither/,
    );
    assert.throws(
      () => new L.Normalization({ mean: 1, variance: 1 }).adapt(rand([2, 2])),
      /Normalization '.*': adapt\(\) needs a layer built without a fixed mean and variance/,
    );
    const n = new L.Normalization({ name: 'nn' });
    n.adapt(rand([5, 3]));
    assert.throws(
      () => n.apply(rand([5, 4])),
      /Normalization 'nn': expected input \(None, 3\), got \(5, 4\)/,
    );
    assert.throws(
      () => new L.Normalization({ axis: 3, name: 'na' }).apply(rand([2, 3])),
      /Normalization 'na': axis \[3\] is out of range for input \(2, 3\)/,
    );
  });
});
