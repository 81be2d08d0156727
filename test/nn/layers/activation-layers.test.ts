import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tfjsToKeel } from '../../../src/io/tfjs/convert-config.js';
import type { SerializedObject } from '../../../src/nn/engine/serialization.js';
import { ELU } from '../../../src/nn/layers/elu.js';
import { LeakyReLU } from '../../../src/nn/layers/leaky-relu.js';
import { PReLU } from '../../../src/nn/layers/prelu.js';
import { deserializeLayer } from '../../../src/nn/layers/registry.js';
import { ReLU } from '../../../src/nn/layers/relu.js';
import { Softmax } from '../../../src/nn/layers/softmax.js';
import { ThresholdedReLU } from '../../../src/nn/layers/thresholded-relu.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

const X = [-3, -1.5, -0.5, 0, 0.25, 0.5, 1, 2, 5, 7];
const apply = (layer: { apply(x: never): unknown }, xs = X) => [
  ...(layer.apply(tensor(xs) as never) as { data: Float32Array }).data,
];
/** A Keras config as TF.js/Keras files hold it (snake_case), loaded through the tfjs converter. */
const fromKeras = (className: string, config: Record<string, unknown>) =>
  deserializeLayer(tfjsToKeel({ class_name: className, config }) as SerializedObject);

describe('ReLU', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new ReLU({ maxValue: 6, negativeSlope: 0.1 }),
      inputShape: [2, 3, 4],
      input: rand([2, 3, 4], 2, -8, 8),
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it("follows Keras's definition with maxValue, negativeSlope and threshold", () => {
    const ref = (x: number, max: number | null, slope: number, t: number) =>
      max !== null && x >= max ? max : x > t ? x : slope * (x - t);
    for (const [max, slope, t] of [
      [null, 0, 0],
      [6, 0, 0],
      [6, 0.1, 0],
      [null, 0.2, 0],
      [4, 0.5, 1],
      [null, 0, 0.5],
    ] as const) {
      const want = X.map((x) => ref(x, max, slope, t));
      expectClose(apply(new ReLU({ maxValue: max, negativeSlope: slope, threshold: t })), want);
    }
  });

  it('has correct gradients away from the kinks', () => {
    const x = tensor([[-2.3, -0.7, 0.4, 1.9, 3.3, 6.6]]);
    expectLayerGradOk(new ReLU({ maxValue: 3, negativeSlope: 0.2, threshold: 0.1 }), x);
  });

  it('loads Keras configs and rejects negative arguments naming ReLU', () => {
    const layer = fromKeras('ReLU', { max_value: 6, negative_slope: 0, threshold: 0, name: 'r6' });
    assert.ok(layer instanceof ReLU);
    assert.equal((layer as ReLU).maxValue, 6);
    assert.throws(
      () => new ReLU({ maxValue: -1 }),
      /ReLU: maxValue must be a finite number >= 0, got -1/,
    );
    assert.throws(() => new ReLU({ negativeSlope: -0.1 }), /ReLU: negativeSlope/);
    assert.throws(() => new ReLU({ threshold: Number.NaN }), /ReLU: threshold/);
  });
});

describe('LeakyReLU', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new LeakyReLU(),
      inputShape: [3, 5],
      expectedOutputShape: [3, 5],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it("defaults to Keras 3's slope 0.3 and accepts Keras 2's alpha", () => {
    expectClose(
      apply(new LeakyReLU()),
      X.map((x) => (x >= 0 ? x : 0.3 * x)),
    );
    const k2 = fromKeras('LeakyReLU', { alpha: 0.2, name: 'lr', trainable: true });
    assert.equal((k2 as LeakyReLU).negativeSlope, 0.2);
    expectClose(
      apply(k2),
      X.map((x) => (x >= 0 ? x : 0.2 * x)),
    );
    assert.equal(
      (fromKeras('LeakyReLU', { negative_slope: 0.05 }) as LeakyReLU).negativeSlope,
      0.05,
    );
    assert.equal(new LeakyReLU({ alpha: 0.1 }).getConfig()['negativeSlope'], 0.1);
    assert.throws(
      () => new LeakyReLU({ alpha: 0.1, negativeSlope: 0.2 }),
      /LeakyReLU: give negativeSlope or its Keras 2 name alpha/,
    );
    assert.throws(() => new LeakyReLU({ negativeSlope: -1 }), /LeakyReLU: negativeSlope must be/);
  });

  it('has correct gradients', () => {
    expectLayerGradOk(new LeakyReLU({ negativeSlope: 0.1 }), tensor([[-2, -0.5, 0.3, 1.5]]));
  });
});

describe('PReLU', () => {
  it('passes the shared layer checks with alpha of the input shape, or shared', () => {
    runLayerTest({
      layer: () =>
        new PReLU({ alphaInitializer: { className: 'Constant', config: { value: 0.25 } } }),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 1,
      expectedNumTrainableWeights: 1,
      expectedWeightShapes: [[3, 4]],
    });
    runLayerTest({
      layer: () => new PReLU({ sharedAxes: [1, 2], alphaInitializer: 'ones' }),
      inputShape: [2, 4, 5, 3],
      expectedOutputShape: [2, 4, 5, 3],
      expectedNumWeights: 1,
      expectedNumTrainableWeights: 1,
      expectedWeightShapes: [[1, 1, 3]],
    });
  });

  it('computes relu(x) - alpha relu(-x) with a per-channel alpha', () => {
    const layer = new PReLU({ sharedAxes: 1 });
    const x = tensor([
      [
        [-1, 2],
        [3, -4],
        [-5, -6],
      ],
    ]);
    layer.apply(x);
    layer.setWeights([tensor([[0.5, 0.1]])]);
    expectClose(layer.apply(x), [
      [
        [-0.5, 2],
        [3, -0.4],
        [-2.5, -0.6],
      ],
    ]);
  });

  it('has correct gradients with respect to the input and alpha', () => {
    const layer = new PReLU({ alphaInitializer: 'randomUniform' });
    expectLayerGradOk(
      layer,
      tensor([
        [-2, -0.5, 0.3, 1.5],
        [0.7, -1.1, -0.2, 2],
      ]),
    );
  });

  it('loads a Keras config and names the layer and shapes in errors', () => {
    const layer = fromKeras('PReLU', {
      shared_axes: [1, 2],
      alpha_initializer: { class_name: 'Zeros', config: {} },
      name: 'p',
    });
    assert.deepEqual((layer as PReLU).sharedAxes, [1, 2]);
    assert.throws(() => new PReLU({ sharedAxes: [0] }), /PReLU: sharedAxes must be axes >= 1/);
    const p = new PReLU({ name: 'pp' });
    p.apply(rand([2, 3]));
    assert.throws(
      () => p.apply(rand([2, 4])),
      /PReLU 'pp': expected input \(None, 3\), got \(2, 4\)/,
    );
    assert.throws(
      () => new PReLU({ sharedAxes: [3], name: 'q' }).apply(rand([2, 3])),
      /PReLU 'q': sharedAxes \[3\] name axis 3/,
    );
  });
});

describe('ELU', () => {
  it('passes the shared layer checks and matches alpha (exp(x) - 1) below 0', () => {
    runLayerTest({
      layer: () => new ELU({ alpha: 0.5 }),
      inputShape: [2, 6],
      expectedOutputShape: [2, 6],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    expectClose(
      apply(new ELU({ alpha: 0.5 })),
      X.map((x) => (x > 0 ? x : 0.5 * Math.expm1(x))),
    );
    expectClose(
      apply(fromKeras('ELU', { alpha: 2 })),
      X.map((x) => (x > 0 ? x : 2 * Math.expm1(x))),
    );
    expectLayerGradOk(new ELU({ alpha: 1.5 }), tensor([[-2, -0.5, 0.3, 1.5]]));
    assert.throws(
      () => new ELU({ alpha: Number.POSITIVE_INFINITY }),
      /ELU: alpha must be a finite number/,
    );
  });
});

describe('Softmax', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new Softmax({ axis: 1 }),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('normalizes along one axis or several, and masks as Keras does', () => {
    const x = rand([2, 3, 4], 7, -3, 3);
    const rows = (x.array() as number[][][]).map((m) =>
      m.map((r) => {
        const e = r.map(Math.exp);
        const s = e.reduce((a, b) => a + b);
        return e.map((v) => v / s);
      }),
    );
    expectClose(new Softmax().apply(x), rows);
    const all = new Softmax({ axis: [1, 2] }).apply(x).array() as number[][][];
    for (const m of all) assert.ok(Math.abs(m.flat().reduce((a, b) => a + b) - 1) < 1e-5);
    const masked = new Softmax().apply(tensor([[1, 2, 3]]), {
      mask: tensor([[1, 1, 0]], [1, 3], 'bool'),
    });
    const e1 = Math.exp(1);
    const e2 = Math.exp(2);
    expectClose(masked, [[e1 / (e1 + e2), e2 / (e1 + e2), 0]]);
    assert.deepEqual((fromKeras('Softmax', { axis: -1 }) as Softmax).axis, -1);
  });

  it('has correct gradients and rejects bad axes naming the layer', () => {
    expectLayerGradOk(new Softmax({ axis: 0 }), rand([3, 2], 3));
    expectLayerGradOk(new Softmax({ axis: [0, 1] }), rand([3, 2], 4));
    assert.throws(() => new Softmax({ axis: [] }), /Softmax: axis must be an integer/);
    assert.throws(
      () => new Softmax({ axis: 2, name: 's' }).apply(rand([2, 3])),
      /Softmax 's': axis 2 is out of range for input \[2, 3\]/,
    );
  });
});

describe('ThresholdedReLU', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new ThresholdedReLU({ theta: 0.3 }),
      inputShape: [2, 3, 4],
      input: rand([2, 3, 4], 5, -2, 2),
      expectedOutputShape: [2, 3, 4],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it("follows Keras 2's definition (x above theta, else 0; theta 1 by default) and loads its config", () => {
    expectClose(
      apply(new ThresholdedReLU()),
      X.map((x) => (x > 1 ? x : 0)),
    );
    expectClose(
      apply(fromKeras('ThresholdedReLU', { theta: 0.5, name: 't', trainable: true })),
      X.map((x) => (x > 0.5 ? x : 0)),
    );
    expectLayerGradOk(new ThresholdedReLU({ theta: 0.2 }), tensor([[-2, -0.5, 0.1, 0.3, 1.5]]));
    assert.throws(
      () => new ThresholdedReLU({ theta: -1 }),
      /ThresholdedReLU: theta must be a finite number >= 0, got -1/,
    );
  });
});
