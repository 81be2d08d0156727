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

const noWeights = { expectedNumWeights: 0, expectedNumTrainableWeights: 0 };

describe('ZeroPadding1D/2D and Cropping1D/2D', () => {
  it('pass the shared layer checks', () => {
    runLayerTest({
      layer: () => new L.ZeroPadding1D({ padding: [2, 1] }),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 6, 4],
      ...noWeights,
    });
    runLayerTest({
      layer: () => new L.ZeroPadding2D(),
      inputShape: [2, 3, 4, 2],
      expectedOutputShape: [2, 5, 6, 2],
      ...noWeights,
    });
    runLayerTest({
      layer: () => new L.Cropping1D(),
      inputShape: [2, 5, 3],
      expectedOutputShape: [2, 3, 3],
      ...noWeights,
    });
    runLayerTest({
      layer: () =>
        new L.Cropping2D({
          cropping: [
            [1, 0],
            [0, 2],
          ],
        }),
      inputShape: [1, 4, 5, 2],
      expectedOutputShape: [1, 3, 3, 2],
      ...noWeights,
    });
  });

  it("place zeros and cut edges where Keras's forms say", () => {
    const x = tensor([
      [
        [[1], [2]],
        [[3], [4]],
      ],
    ]);
    const padded = new L.ZeroPadding2D({
      padding: [
        [1, 0],
        [0, 1],
      ],
    }).apply(x);
    expectClose(padded, [
      [
        [[0], [0], [0]],
        [[1], [2], [0]],
        [[3], [4], [0]],
      ],
    ]);
    const sym = new L.ZeroPadding2D({ padding: [1, 2] }).apply(x);
    assert.deepEqual(sym.shape, [1, 4, 6, 1]);
    expectClose(
      new L.Cropping2D({
        cropping: [
          [1, 0],
          [0, 1],
        ],
      }).apply(padded),
      [
        [
          [[1], [2]],
          [[3], [4]],
        ],
      ],
    );
    const seq = tensor([[[1], [2], [3], [4], [5]]]);
    expectClose(new L.Cropping1D({ cropping: [1, 2] }).apply(seq), [[[2], [3]]]);
    expectClose(new L.ZeroPadding1D({ padding: 1 }).apply(tensor([[[7]]])), [[[0], [7], [0]]]);
    assert.deepEqual(new L.Cropping2D({ cropping: 1 }).computeOutputShape([null, null, 8, 3]), [
      null,
      null,
      6,
      3,
    ]);
  });

  it('pass gradients to the kept cells only', () => {
    expectLayerGradOk(new L.ZeroPadding2D({ padding: [1, 2] }), rand([1, 2, 3, 2], 2));
    expectLayerGradOk(
      new L.Cropping2D({
        cropping: [
          [1, 0],
          [1, 1],
        ],
      }),
      rand([1, 3, 4, 2], 3),
    );
    expectLayerGradOk(new L.Cropping1D({ cropping: [0, 2] }), rand([2, 4, 1], 4));
  });

  it('load Keras configs and name the layer in errors', () => {
    const pad = fromKeras('ZeroPadding2D', {
      padding: [
        [1, 1],
        [2, 2],
      ],
      data_format: 'channels_last',
      name: 'zp',
    }) as L.ZeroPadding2D;
    assert.deepEqual(pad.edges, [
      [1, 1],
      [2, 2],
    ]);
    const crop = fromKeras('Cropping1D', { cropping: [1, 1] }) as L.Cropping1D;
    assert.deepEqual(crop.edges, [[1, 1]]);
    assert.throws(
      () => new L.ZeroPadding2D({ padding: [1, 2, 3] }),
      /ZeroPadding2D: padding must be an integer >= 0, 2 of them \(one per axis\), or 2 \[before, after\] pairs, got \[1,2,3\]/,
    );
    assert.throws(
      () => new L.ZeroPadding1D({ padding: -1 }),
      /ZeroPadding1D: padding must be an integer >= 0 or \[before, after\]/,
    );
    assert.throws(
      () => new L.Cropping2D({ dataFormat: 'channels_first' as 'channels_last' }),
      /Cropping2D: dataFormat "channels_first" is not supported/,
    );
    assert.throws(
      () => new L.Cropping2D({ cropping: 2, name: 'c' }).apply(rand([1, 4, 6, 1])),
      /Cropping2D 'c': cropping \[\[2,2\],\[2,2\]\] leaves nothing of input \(1, 4, 6, 1\)/,
    );
    assert.throws(
      () => new L.ZeroPadding2D({ name: 'z' }).apply(rand([2, 3, 4])),
      /ZeroPadding2D 'z': expected input \(None, height, width, channels\), got \(2, 3, 4\)/,
    );
  });
});

describe('UpSampling1D/2D', () => {
  it('pass the shared layer checks', () => {
    runLayerTest({
      layer: () => new L.UpSampling1D({ size: 3 }),
      inputShape: [2, 3, 2],
      expectedOutputShape: [2, 9, 2],
      ...noWeights,
    });
    runLayerTest({
      layer: () => new L.UpSampling2D(),
      inputShape: [2, 3, 2, 3],
      expectedOutputShape: [2, 6, 4, 3],
      ...noWeights,
    });
    runLayerTest({
      layer: () => new L.UpSampling2D({ size: [2, 3], interpolation: 'bilinear' }),
      inputShape: [1, 3, 2, 2],
      expectedOutputShape: [1, 6, 6, 2],
      ...noWeights,
    });
  });

  it('repeat pixels (nearest) and interpolate with half-pixel centers (bilinear)', () => {
    expectClose(new L.UpSampling1D().apply(tensor([[[1], [2]]])), [[[1], [1], [2], [2]]]);
    const x = tensor([
      [
        [[1], [2]],
        [[3], [4]],
      ],
    ]);
    expectClose(new L.UpSampling2D({ size: [1, 2] }).apply(x), [
      [
        [[1], [1], [2], [2]],
        [[3], [3], [4], [4]],
      ],
    ]);
    // tf.image.resize([[1, 2], [3, 4]], [4, 4], 'bilinear'): rows 1, 1.5, 2.5, 3 (+0, .25, .75, 1 across).
    const cols = [0, 0.25, 0.75, 1];
    const want = [1, 1.5, 2.5, 3].map((r) => cols.map((c) => [r + c]));
    expectClose(new L.UpSampling2D({ interpolation: 'bilinear' }).apply(x), [want]);
    // Odd factor: source (i + 0.5) / 3 - 0.5 → 0, 0, 1/3, 2/3, 1, 1 for a 2-pixel row.
    expectClose(
      new L.UpSampling2D({ size: [1, 3], interpolation: 'bilinear' }).apply(tensor([[[[0], [3]]]])),
      [[[[0], [0], [1], [2], [3], [3]]]],
    );
    // TensorFlow.js's variant (halfPixelCenters false): source i / 3 → 0, 1/3, 2/3, 1, 1, 1.
    const tfjsStyle = new L.UpSampling2D({
      size: [1, 3],
      interpolation: 'bilinear',
      halfPixelCenters: false,
    });
    expectClose(tfjsStyle.apply(tensor([[[[0], [3]]]])), [[[[0], [1], [2], [3], [3], [3]]]]);
    assert.equal(tfjsStyle.getConfig()['halfPixelCenters'], false);
    assert.equal('halfPixelCenters' in new L.UpSampling2D().getConfig(), false);
    assert.throws(
      () => new L.UpSampling2D({ halfPixelCenters: 1 as unknown as boolean }),
      /UpSampling2D: halfPixelCenters must be true or false, got 1/,
    );
  });

  it('have correct gradients', () => {
    expectLayerGradOk(new L.UpSampling2D({ interpolation: 'bilinear' }), rand([1, 2, 3, 2], 5));
    expectLayerGradOk(new L.UpSampling2D({ size: [3, 1] }), rand([1, 2, 2, 1], 6));
    expectLayerGradOk(
      new L.UpSampling2D({ size: [2, 3], interpolation: 'bilinear', halfPixelCenters: false }),
      rand([1, 2, 3, 2], 8),
    );
    expectLayerGradOk(new L.UpSampling1D(), rand([2, 3, 1], 7));
  });

  it('load Keras configs and reject unsupported interpolation', () => {
    const up = fromKeras('UpSampling2D', {
      size: [2, 2],
      data_format: 'channels_last',
      interpolation: 'bilinear',
    }) as L.UpSampling2D;
    assert.equal(up.interpolation, 'bilinear');
    assert.deepEqual(up.size, [2, 2]);
    assert.throws(
      () => new L.UpSampling2D({ interpolation: 'bicubic' as 'nearest' }),
      /UpSampling2D: interpolation must be 'nearest' or 'bilinear', got "bicubic"/,
    );
    assert.throws(
      () => new L.UpSampling1D({ size: 0 }),
      /UpSampling1D: size must be a positive integer, got 0/,
    );
  });
});

describe('RepeatVector', () => {
  it('passes the shared layer checks and repeats each sample n times', () => {
    runLayerTest({
      layer: () => new L.RepeatVector(4),
      inputShape: [3, 5],
      expectedOutputShape: [3, 4, 5],
      ...noWeights,
    });
    expectClose(
      new L.RepeatVector(2).apply(
        tensor([
          [1, 2],
          [3, 4],
        ]),
      ),
      [
        [
          [1, 2],
          [1, 2],
        ],
        [
          [3, 4],
          [3, 4],
        ],
      ],
    );
    expectLayerGradOk(new L.RepeatVector(3), rand([2, 2], 8));
    assert.equal((fromKeras('RepeatVector', { n: 7 }) as L.RepeatVector).n, 7);
    assert.throws(() => new L.RepeatVector(0), /RepeatVector: n must be a positive integer, got 0/);
    assert.throws(
      () => new L.RepeatVector(2, { name: 'rv' }).apply(rand([2, 3, 4])),
      /RepeatVector 'rv': expected input \(None, features\), got \(2, 3, 4\)/,
    );
  });
});
