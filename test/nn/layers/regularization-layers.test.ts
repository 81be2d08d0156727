import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Layer } from '../../../src/nn/engine/layer.js';
import * as L from '../../../src/nn/layers/index.js';
import { ones } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

const noWeights = { expectedNumWeights: 0, expectedNumTrainableWeights: 0 };

describe('SpatialDropout1D/2D', () => {
  it('pass the shared layer checks in training', () => {
    runLayerTest({
      layer: () => new L.SpatialDropout1D(0.3, { seed: 1 }),
      inputShape: [2, 4, 5],
      expectedOutputShape: [2, 4, 5],
      trainingArgs: { training: true },
      ...noWeights,
    });
    runLayerTest({
      layer: () => new L.SpatialDropout2D(0.3, { seed: 1 }),
      inputShape: [2, 3, 3, 4],
      expectedOutputShape: [2, 3, 3, 4],
      trainingArgs: { training: true },
      ...noWeights,
    });
  });

  it('drop whole channels, the same at every step and pixel, scaled by 1 / (1 - rate)', () => {
    const y = new L.SpatialDropout2D(0.5, { seed: 2 }).apply(ones([8, 3, 4, 16]), {
      training: true,
    });
    const v = y.array() as number[][][][];
    let dropped = 0;
    for (const img of v)
      for (let ch = 0; ch < 16; ch++) {
        const first = img[0]![0]![ch]!;
        assert.ok(first === 0 || Math.abs(first - 2) < 1e-6);
        if (first === 0) dropped++;
        for (const row of img) for (const px of row) assert.equal(px[ch], first);
      }
    assert.ok(dropped > 16 && dropped < 112, `dropped ${dropped} of 128 channels`);
    const s1 = new L.SpatialDropout1D(0.5, { seed: 3 })
      .apply(ones([4, 6, 8]), { training: true })
      .array() as number[][][];
    for (const sample of s1) for (const step of sample) assert.deepEqual(step, sample[0]);
    const x = rand([2, 3, 4]);
    assert.equal(new L.SpatialDropout1D(0.5).apply(x), x, 'identity at inference');
  });

  it('round-trip configs without a noiseShape and name the layer in shape errors', () => {
    const layer = new L.SpatialDropout1D(0.2, { seed: 4, name: 'sd' });
    const config = layer.getConfig();
    assert.equal(config['noiseShape'], undefined);
    assert.equal(
      (
        L.deserializeLayer({
          className: 'SpatialDropout1D',
          config: { ...config, noise_shape: null },
        }) as L.SpatialDropout1D
      ).rate,
      0.2,
    );
    assert.throws(
      () => layer.apply(rand([2, 3, 4, 5]), { training: true }),
      /SpatialDropout1D 'sd': expected input \(None, steps, channels\), got \(2, 3, 4, 5\)/,
    );
    assert.throws(
      () => new L.SpatialDropout2D(1),
      /SpatialDropout2D|Dropout: rate must be a number in \[0, 1\)/,
    );
  });
});

describe('GaussianDropout', () => {
  it('passes the shared layer checks and multiplies by noise of mean 1 and std sqrt(rate / (1 - rate))', () => {
    runLayerTest({
      layer: () => new L.GaussianDropout(0.2, { seed: 1 }),
      inputShape: [3, 4],
      expectedOutputShape: [3, 4],
      trainingArgs: { training: true },
      ...noWeights,
    });
    const y = [
      ...new L.GaussianDropout(0.2, { seed: 5 }).apply(ones([200, 100]), { training: true }).data,
    ];
    const mean = y.reduce((s, v) => s + v, 0) / y.length;
    const std = Math.sqrt(y.reduce((s, v) => s + (v - mean) ** 2, 0) / y.length);
    assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
    assert.ok(Math.abs(std - 0.5) < 0.01, `std ${std}`);
    const x = rand([2, 3]);
    assert.equal(new L.GaussianDropout(0.5).apply(x), x);
    assert.throws(
      () => new L.GaussianDropout(1),
      /GaussianDropout: rate must be a number in \[0, 1\), got 1/,
    );
  });
});

describe('AlphaDropout', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new L.AlphaDropout(0.2, { seed: 1 }),
      inputShape: [3, 4],
      expectedOutputShape: [3, 4],
      trainingArgs: { training: true },
      ...noWeights,
    });
  });

  it('keeps zero mean and unit variance of SELU-normalized inputs, with Keras’s affine correction', () => {
    const rate = 0.3;
    const layer = new L.AlphaDropout(rate, { seed: 6 });
    const x = ones([100, 100]);
    const y = [...layer.apply(x, { training: true }).data];
    const alphaP = -1.6732632423543772 * 1.0507009873554805;
    const a = ((1 - rate) * (1 + rate * alphaP ** 2)) ** -0.5;
    const b = -a * alphaP * rate;
    const values = new Set(y.map((v) => v.toFixed(5)));
    assert.deepEqual([...values].sort(), [(a + b).toFixed(5), (a * alphaP + b).toFixed(5)].sort());
    const dropped = y.filter((v) => Math.abs(v - (a * alphaP + b)) < 1e-5).length / y.length;
    assert.ok(Math.abs(dropped - rate) < 0.02, `dropped ${dropped}`);
    // Standard normal inputs stay (about) standard.
    const z = new L.AlphaDropout(0.2, { seed: 7 }).apply(
      rand([200, 100], 8, -Math.sqrt(3), Math.sqrt(3)),
      { training: true },
    );
    const d = [...z.data];
    const mean = d.reduce((s, v) => s + v, 0) / d.length;
    const variance = d.reduce((s, v) => s + (v - mean) ** 2, 0) / d.length;
    assert.ok(
      Math.abs(mean) < 0.03 && Math.abs(variance - 1) < 0.05,
      `mean ${mean}, variance ${variance}`,
    );
  });

  it('shares the mask along noiseShape 1 axes and rejects bad noise shapes naming the layer', () => {
    const y = new L.AlphaDropout(0.5, { seed: 9, noiseShape: [null, 1] })
      .apply(ones([6, 5]), { training: true })
      .array() as number[][];
    for (const row of y) for (const v of row) assert.equal(v, row[0]);
    assert.throws(
      () =>
        new L.AlphaDropout(0.5, { noiseShape: [2], name: 'ad' }).apply(ones([2, 3]), {
          training: true,
        }),
      /AlphaDropout 'ad': noiseShape \[2\] does not broadcast to the input \[2, 3\]/,
    );
    expectClose(new L.AlphaDropout(0.5).apply(ones([2, 2])), [
      [1, 1],
      [1, 1],
    ]);
  });
});

describe('the noise layers in training', () => {
  it('have finite-difference gradients with the noise held fixed (a fresh seeded layer per call)', () => {
    const cases: [() => Layer, number[]][] = [
      [() => new L.SpatialDropout1D(0.4, { seed: 5 }), [2, 4, 5]],
      [() => new L.SpatialDropout2D(0.4, { seed: 5 }), [2, 3, 3, 4]],
      [() => new L.GaussianDropout(0.3, { seed: 5 }), [3, 6]],
      [() => new L.AlphaDropout(0.3, { seed: 5 }), [3, 6]],
    ];
    for (const [make, shape] of cases) {
      const f = (x: Tensor): Tensor => make().apply(x, { training: true }) as Tensor;
      const x = rand(shape, 7);
      // The noise is really applied, so the check is not that of the identity.
      assert.ok(f(x).data.some((v, i) => Math.abs(v - x.data[i]!) > 1e-3));
      expectGradOk(f, [x]);
    }
  });
});
