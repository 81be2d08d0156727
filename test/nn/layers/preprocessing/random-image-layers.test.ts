import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../../../src/backends/index.js';
import type { Layer } from '../../../../src/nn/engine/layer.js';
import {
  GaussianNoise,
  RandomContrast,
  RandomCrop,
  RandomFlip,
  RandomRotation,
  RandomTranslation,
  RandomZoom,
} from '../../../../src/nn/layers/preprocessing/index.js';
import { Tensor } from '../../../../src/tensor/tensor.js';
import { expectGradOk, rand } from '../../../helpers.js';
import { runLayerTest } from '../../layer-test-harness.js';

/** A [1, h, w, 1] image whose pixel (y, x) holds 10·y + x. */
function ramp(h: number, w: number): Tensor {
  return new Tensor(
    Float32Array.from({ length: h * w }, (_, i) => 10 * Math.floor(i / w) + (i % w)),
    [1, h, w, 1],
    'float32',
  );
}

const image = (t: Tensor) => [...t.data].map((v) => Math.round(v * 1000) / 1000);

describe('random image layers', () => {
  const makers: [string, (seed: number) => Layer][] = [
    ['RandomFlip', (s) => new RandomFlip('horizontal_and_vertical', { seed: s })],
    ['RandomRotation', (s) => new RandomRotation(0.1, { seed: s })],
    ['RandomTranslation', (s) => new RandomTranslation(0.2, 0.2, { seed: s })],
    ['RandomZoom', (s) => new RandomZoom(0.2, null, { seed: s })],
    ['RandomContrast', (s) => new RandomContrast(0.5, { seed: s, valueRange: [-1, 1] })],
    ['GaussianNoise', (s) => new GaussianNoise(0.1, { seed: s })],
  ];
  for (const [name, make] of makers) {
    it(`${name}: layer checks, identity at inference, seeded and reproducible in training`, () => {
      runLayerTest({
        layer: () => make(1),
        inputShape: [2, 6, 6, 2],
        expectedOutputShape: [2, 6, 6, 2],
        expectedNumWeights: 0,
        expectedNumTrainableWeights: 0,
      });
      const x = rand([4, 6, 6, 2], 3);
      assert.deepEqual(image(make(1).apply(x)), image(x), 'inference is the identity');
      const a = make(7).apply(x, { training: true });
      const b = make(7).apply(x, { training: true });
      assert.deepEqual(image(a), image(b), 'same seed, same output');
      assert.notDeepEqual(image(a), image(x), 'training changes the images');
    });
  }

  it('RandomFlip horizontal mirrors rows', () => {
    const x = ramp(2, 3);
    const layer = new RandomFlip('horizontal', { seed: 1 });
    const outs = Array.from({ length: 8 }, () => image(layer.apply(x, { training: true })));
    assert.ok(outs.some((o) => o.join() === [2, 1, 0, 12, 11, 10].join()));
    assert.ok(
      outs.every(
        (o) =>
          o.join() === [0, 1, 2, 10, 11, 12].join() || o.join() === [2, 1, 0, 12, 11, 10].join(),
      ),
    );
  });

  it('RandomRotation by a half turn reverses the image; reflect/constant fill', () => {
    const x = ramp(3, 3);
    const half = new RandomRotation([0.5, 0.5], { seed: 1 });
    assert.deepEqual(image(half.apply(x, { training: true })), [22, 21, 20, 12, 11, 10, 2, 1, 0]);
    const shift = new RandomTranslation([0, 0], [1 / 3, 1 / 3], {
      seed: 1,
      fillMode: 'constant',
      fillValue: -1,
    });
    assert.deepEqual(image(shift.apply(x, { training: true })), [-1, 0, 1, -1, 10, 11, -1, 20, 21]);
    const reflect = new RandomTranslation([0, 0], [1 / 3, 1 / 3], { seed: 1 });
    assert.deepEqual(
      image(reflect.apply(x, { training: true })),
      [0, 0, 1, 10, 10, 11, 20, 20, 21],
    );
  });

  it('RandomZoom zooms in about the centre', () => {
    const x = ramp(5, 5);
    const zoomIn = new RandomZoom([-0.5, -0.5], null, { seed: 1, interpolation: 'nearest' });
    const out = image(zoomIn.apply(x, { training: true }));
    assert.equal(out[12], 22, 'the centre stays');
    assert.equal(out[0], 11, 'a corner comes from halfway in');
  });

  it('RandomCrop crops randomly in training and at the centre otherwise; differentiable', () => {
    const x = ramp(4, 4);
    const layer = new RandomCrop(2, 2, { seed: 3 });
    assert.deepEqual(image(layer.apply(x)), [11, 12, 21, 22]);
    const t = layer.apply(new Tensor(new Float32Array(2 * 16), [2, 4, 4, 1], 'float32'), {
      training: true,
    });
    assert.deepEqual(t.shape, [2, 2, 2, 1]);
    runLayerTest({
      layer: () => new RandomCrop(3, 2, { seed: 1 }),
      inputShape: [2, 5, 4, 1],
      expectedOutputShape: [2, 3, 2, 1],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    // a fresh layer per call: the same random window each time the check evaluates
    expectGradOk(
      (xi) => new RandomCrop(2, 2, { seed: 1 }).apply(xi, { training: true }),
      [rand([2, 3, 3, 1], 2)],
    );
    assert.throws(
      () => layer.apply(ramp(1, 4)),
      /RandomCrop 'random_crop.*': images \[1, 4\] are smaller than the crop \[2, 2\]/,
    );
  });

  it('GaussianNoise has the requested spread and a gradient', () => {
    const x = new Tensor(new Float32Array(20000), [20000], 'float32');
    const y = new GaussianNoise(0.5, { seed: 2 }).apply(x, { training: true });
    const sd = Math.sqrt([...y.data].reduce((s, v) => s + v * v, 0) / y.size);
    assert.ok(Math.abs(sd - 0.5) < 0.02, `stddev ${sd}`);
    expectGradOk(
      (xi) => new GaussianNoise(0.2, { seed: 1 }).apply(xi, { training: true }),
      [rand([2, 3], 1)],
    );
  });

  it('bad arguments and inputs are errors naming the layer', () => {
    assert.throws(() => new RandomFlip('diagonal' as never), /RandomFlip: mode must be/);
    assert.throws(() => new RandomRotation([0.2, 0.1]), /RandomRotation: factor must be/);
    assert.throws(
      () => new RandomZoom(0.1, null, { fillMode: 'mirror' as never }),
      /RandomZoom: fillMode must be/,
    );
    assert.throws(() => new RandomContrast(1.5), /RandomContrast: factor must be in \[0, 1\]/);
    assert.throws(() => new GaussianNoise(-1), /GaussianNoise: stddev/);
    assert.throws(
      () => new RandomRotation(0.1).apply(rand([4, 4]), { training: true }),
      /expected images \[batch, height, width, channels\], got \[4, 4\]/,
    );
  });
});
