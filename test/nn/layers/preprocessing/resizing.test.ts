import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import '../../../../src/backends/index.js';
import {
  CenterCrop,
  RandomBrightness,
  Resizing,
} from '../../../../src/nn/layers/preprocessing/index.js';
import { tensor } from '../../../../src/tensor/create.js';
import { Tensor } from '../../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../../layer-test-harness.js';
import { expectSaveLoadSame } from './save-load.js';

interface Case {
  name: string;
  mode: 'bilinear' | 'nearest' | 'area' | 'center_crop';
  input: number[];
  inputShape: number[];
  size: [number, number];
  output: number[];
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/resize.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

/** A [1, h, w, 1] image whose pixel (y, x) holds 10·y + x. */
const ramp = (h: number, w: number) =>
  new Tensor(
    Float32Array.from({ length: h * w }, (_, i) => 10 * Math.floor(i / w) + (i % w)),
    [1, h, w, 1],
    'float32',
  );

describe('Resizing', () => {
  for (const c of fixture.cases) {
    it(`matches torch.nn.functional: ${c.name}`, () => {
      const x = tensor(c.input, c.inputShape);
      const layer =
        c.mode === 'center_crop'
          ? new CenterCrop(c.size[0], c.size[1])
          : new Resizing(c.size[0], c.size[1], { interpolation: c.mode });
      const y = layer.apply(x) as Tensor;
      const [n, , , ch] = c.inputShape;
      expectClose(y, tensor(c.output, [n!, c.size[0], c.size[1], ch!]), { atol: 1e-5 });
    });
  }

  for (const interpolation of ['bilinear', 'nearest', 'area', 'bicubic'] as const) {
    it(`${interpolation}: layer checks, save/load`, () => {
      runLayerTest({
        layer: () => new Resizing(4, 6, { interpolation }),
        inputShape: [2, 8, 3, 2],
        expectedOutputShape: [2, 4, 6, 2],
        expectedNumWeights: 0,
        expectedNumTrainableWeights: 0,
      });
      expectSaveLoadSame(
        new Resizing(4, 6, { interpolation, inputShape: [8, 3, 2] }),
        rand([2, 8, 3, 2], 4),
      );
    });
  }

  it('bilinear, area and bicubic gradients match finite differences', () => {
    for (const interpolation of ['bilinear', 'area', 'bicubic'] as const)
      expectLayerGradOk(new Resizing(3, 5, { interpolation }), rand([1, 6, 4, 2], 3));
    expectLayerGradOk(new Resizing(4, 4, { cropToAspectRatio: true }), rand([1, 5, 3, 1], 4));
  });

  it('bicubic keeps constants and is exact on a ramp inside the image (Keys, a = -0.5)', () => {
    const flat = new Resizing(7, 5, { interpolation: 'bicubic' }).apply(
      tensor(new Array(12).fill(3), [1, 4, 3, 1]),
    );
    expectClose(flat, tensor(new Array(35).fill(3), [1, 7, 5, 1]), { atol: 1e-5 });
    // Downscaling a ramp by 2: samples at 2·o + 0.5, whose four taps all lie inside for o = 1, 2.
    const y = new Resizing(1, 4, { interpolation: 'bicubic' }).apply(ramp(1, 8)) as Tensor;
    expectClose(tensor([y.data[1]!, y.data[2]!]), tensor([2.5, 4.5]), { atol: 1e-5 });
  });

  it('crops or pads to the aspect ratio first, as Keras', () => {
    // 2 x 6 -> 2 x 2 with cropping: the centred 2 x 2 window (columns 2, 3).
    const crop = new Resizing(2, 2, { cropToAspectRatio: true }).apply(ramp(2, 6)) as Tensor;
    assert.deepEqual(Array.from(crop.data), [2, 3, 12, 13]);
    // 2 x 4 -> 4 x 4 with padding: one row of fillValue above and below, then no resampling.
    const padded = new Resizing(4, 4, { padToAspectRatio: true, fillValue: -1 }).apply(
      ramp(2, 4),
    ) as Tensor;
    assert.deepEqual(
      Array.from(padded.data),
      [-1, -1, -1, -1, 0, 1, 2, 3, 10, 11, 12, 13, -1, -1, -1, -1],
    );
  });

  it('rejects bad arguments and inputs, naming the layer', () => {
    assert.throws(() => new Resizing(0, 3), /Resizing: height must be a positive integer, got 0/);
    assert.throws(
      () => new Resizing(2, 2, { interpolation: 'lanczos5' as 'area' }),
      /Resizing: interpolation must be/,
    );
    assert.throws(
      () => new Resizing(2, 2, { cropToAspectRatio: true, padToAspectRatio: true }),
      /cannot both be true/,
    );
    assert.throws(
      () => new Resizing(2, 2, { name: 'rs' }).apply(rand([2, 3])),
      /Resizing 'rs': expected images \[batch, height, width, channels\], got \[2, 3\]/,
    );
  });
});

describe('CenterCrop', () => {
  it('layer checks, the centred window, save/load, gradient', () => {
    runLayerTest({
      layer: () => new CenterCrop(2, 3),
      inputShape: [2, 5, 6, 1],
      expectedOutputShape: [2, 2, 3, 1],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    // 5 x 6 -> 2 x 3: rows 1..2 (trunc(3 / 2) = 1), columns 1..3.
    const y = new CenterCrop(2, 3).apply(ramp(5, 6)) as Tensor;
    assert.deepEqual(Array.from(y.data), [11, 12, 13, 21, 22, 23]);
    expectSaveLoadSame(new CenterCrop(2, 3, { inputShape: [5, 6, 1] }), rand([2, 5, 6, 1], 2));
    expectLayerGradOk(new CenterCrop(2, 3), rand([1, 5, 6, 2], 5));
    expectLayerGradOk(new CenterCrop(6, 6), rand([1, 3, 4, 1], 6));
  });
});

describe('RandomBrightness', () => {
  it('layer checks; identity at inference; per-image shift of factor·range, clipped', () => {
    runLayerTest({
      layer: () => new RandomBrightness(0.3, { seed: 1, valueRange: [-1, 1] }),
      inputShape: [2, 3, 3, 2],
      expectedOutputShape: [2, 3, 3, 2],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
    const x = rand([3, 4, 4, 2], 7, 0.2, 0.8);
    const layer = new RandomBrightness([0.1, 0.2], { seed: 3, valueRange: [0, 1] });
    assert.deepEqual(Array.from((layer.apply(x) as Tensor).data), Array.from(x.data));
    const y = layer.apply(x, { training: true }) as Tensor;
    for (let b = 0; b < 3; b++) {
      const per = 32;
      const deltas = new Set<number>();
      for (let i = b * per; i < (b + 1) * per; i++) {
        const want = x.data[i]!;
        const got = y.data[i]!;
        if (got < 1) deltas.add(Math.round((got - want) * 1e4));
      }
      assert.equal(deltas.size, 1, `image ${b} is shifted by one delta`);
      const d = [...deltas][0]! / 1e4;
      assert.ok(d >= 0.1 - 1e-3 && d <= 0.2 + 1e-3, `delta ${d} in [0.1, 0.2]`);
    }
    const bright = new RandomBrightness([1, 1], { seed: 1, valueRange: [0, 1] });
    assert.ok(
      Array.from((bright.apply(x, { training: true }) as Tensor).data).every((v) => v === 1),
    );
    expectSaveLoadSame(new RandomBrightness(0.2, { seed: 2, inputShape: [4, 4, 2] }), x);
    expectLayerGradOk(new RandomBrightness(0.2), x);
    assert.throws(() => new RandomBrightness(1.5), /RandomBrightness: factor must/);
  });
});
