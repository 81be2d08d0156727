import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { Model } from '../../src/models/model.js';
import type { SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import * as L from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';
import { expectClose } from '../helpers.js';
import { onnxError } from './onnx-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-keras-layers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Saves and reloads the model (same predictions, bit for bit), then runs it in ONNX Runtime
 * (max |difference| <= 1e-4) on uniform data in [lo, hi).
 */
async function expectFilesAgree(model: Model, shape: number[], lo = -3, hi = 3): Promise<void> {
  const x = randomUniform(shape, lo, hi);
  const path = join(dir, `${model.name}.keel`);
  model.save(path);
  const loaded = loadModel(path);
  assert.deepEqual(
    loaded.weights.map((w) => [...w.data]),
    model.weights.map((w) => [...w.data]),
  );
  const list = (y: Tensor | Tensor[]) => (Array.isArray(y) ? y : [y]);
  const want = list(model.predict(x));
  list(loaded.predict(x)).forEach((y, i) => {
    expectClose(y, want[i]!, { atol: 0, rtol: 0 });
  });
  // Opset 18 moved the Reduce* axes from an attribute to an input: both forms are checked.
  for (const opset of [17, 18]) {
    const err = await onnxError(model, [x], opset);
    assert.ok(err <= 1e-4, `${model.name}: ONNX Runtime (opset ${opset}) max error ${err}`);
  }
}

const concat = (xs: SymbolicTensor[]) => new L.Concatenate().apply(xs) as SymbolicTensor;

describe('the Keras layers in Keel files and ONNX Runtime', () => {
  it('activation layers: ReLU (maxValue, negativeSlope, threshold), LeakyReLU, PReLU, ELU, Softmax', async () => {
    setSeed(3);
    const x = Input({ shape: [4, 5, 3] });
    const branches = [
      new L.ReLU({ maxValue: 6 }),
      new L.ReLU({ maxValue: 2, negativeSlope: 0.1, threshold: 0.5 }),
      new L.ReLU({ negativeSlope: 0.2 }),
      new L.LeakyReLU(),
      new L.PReLU({ sharedAxes: [1, 2], alphaInitializer: 'randomUniform' }),
      new L.PReLU({ alphaInitializer: 'randomUniform' }),
      new L.ELU({ alpha: 0.7 }),
      new L.Softmax({ axis: 2 }),
      new L.Softmax({ axis: [1, 2] }),
    ].map((layer) => layer.apply(x));
    const model = new Model({ inputs: x, outputs: concat(branches), name: 'activations' });
    await expectFilesAgree(model, [2, 4, 5, 3], -8, 8);
  });

  it('image layers: padding, cropping, upsampling, group and unit norm, rescaling, normalization', async () => {
    setSeed(4);
    const x = Input({ shape: [6, 5, 4] });
    const norm = new L.Normalization();
    norm.adapt(randomUniform([16, 6, 5, 4], -2, 5));
    const scaled = new L.Rescaling(0.5, { offset: -1 }).apply(norm.apply(x) as SymbolicTensor);
    const padded = new L.ZeroPadding2D({
      padding: [
        [1, 0],
        [2, 1],
      ],
    }).apply(scaled);
    const cropped = new L.Cropping2D({
      cropping: [
        [1, 0],
        [2, 1],
      ],
    }).apply(padded) as SymbolicTensor;
    const grouped = new L.GroupNormalization({
      groups: 2,
      gammaInitializer: 'randomUniform',
      betaInitializer: 'randomUniform',
    }).apply(cropped);
    const unit = new L.UnitNormalization().apply(grouped) as SymbolicTensor;
    const drops = [
      new L.SpatialDropout2D(0.3),
      new L.GaussianDropout(0.2),
      new L.AlphaDropout(0.1),
    ].reduce((t, l) => l.apply(t) as SymbolicTensor, unit);
    const small = new L.Cropping2D({
      cropping: [
        [1, 2],
        [0, 2],
      ],
    }).apply(drops) as SymbolicTensor;
    const up = [
      new L.UpSampling2D({ size: [2, 3] }).apply(small) as SymbolicTensor,
      new L.UpSampling2D({ size: [2, 3], interpolation: 'bilinear' }).apply(
        small,
      ) as SymbolicTensor,
    ];
    const merged = [
      new L.Subtract().apply(up),
      new L.Average().apply(up),
      new L.Maximum().apply(up),
      new L.Minimum().apply(up),
    ] as SymbolicTensor[];
    const inverse = new L.Normalization({
      axis: [-1],
      mean: Array.from({ length: 16 }, (_, i) => i / 4),
      variance: Array.from({ length: 16 }, (_, i) => 0.25 + i),
      invert: true,
    });
    const model = new Model({ inputs: x, outputs: inverse.apply(concat(merged)), name: 'images' });
    await expectFilesAgree(model, [2, 6, 5, 4], -2, 5);
  });

  it('sequence layers: ZeroPadding1D, Cropping1D, UpSampling1D, RepeatVector, SpatialDropout1D', async () => {
    setSeed(5);
    const x = Input({ shape: [5, 3] });
    let y = new L.ZeroPadding1D({ padding: [1, 2] }).apply(x) as SymbolicTensor;
    y = new L.Cropping1D({ cropping: [2, 1] }).apply(y) as SymbolicTensor;
    y = new L.UpSampling1D({ size: 3 }).apply(
      new L.SpatialDropout1D(0.2).apply(y),
    ) as SymbolicTensor;
    const v = new L.RepeatVector(15).apply(
      new L.GlobalAveragePooling1D().apply(x),
    ) as SymbolicTensor;
    const model = new Model({ inputs: x, outputs: concat([y, v]), name: 'sequences' });
    await expectFilesAgree(model, [3, 5, 3]);
  });

  it('DepthwiseConv2D and Conv2DTranspose (strides, same/valid, outputPadding)', async () => {
    setSeed(6);
    const x = Input({ shape: [6, 5, 3] });
    const dw = new L.DepthwiseConv2D(3, {
      depthMultiplier: 2,
      strides: 2,
      padding: 'same',
      biasInitializer: 'randomUniform',
      activation: 'relu',
    }).apply(x) as SymbolicTensor;
    const up = new L.Conv2DTranspose(4, 3, {
      strides: 2,
      padding: 'same',
      biasInitializer: 'randomUniform',
    }).apply(dw) as SymbolicTensor;
    const up2 = new L.Conv2DTranspose(4, [2, 3], {
      strides: [3, 2],
      padding: 'valid',
      outputPadding: [1, 1],
    }).apply(x) as SymbolicTensor;
    const v = new L.Conv2DTranspose(2, 4, { strides: 2, padding: 'same', dilationRate: 1 }).apply(
      new L.DepthwiseConv2D(2).apply(x) as SymbolicTensor,
    ) as SymbolicTensor;
    const model = new Model({ inputs: x, outputs: [up, up2, v], name: 'convs' });
    const xs = randomUniform([2, 6, 5, 3], -2, 2);
    const err = await onnxError(model, [xs]);
    assert.ok(err <= 1e-4, `convs: ONNX Runtime max error ${err}`);
  });

  it('SeparableConv1D/2D (depthMultiplier, strides, same/valid/causal) and Conv1DTranspose', async () => {
    setSeed(7);
    const img = Input({ shape: [7, 6, 3] });
    const sep2 = new L.SeparableConv2D(5, 3, {
      depthMultiplier: 2,
      strides: 2,
      padding: 'same',
      biasInitializer: 'randomUniform',
      activation: 'relu',
    }).apply(img) as SymbolicTensor;
    const sep2b = new L.SeparableConv2D(4, [2, 3], { dilationRate: [2, 1] }).apply(
      img,
    ) as SymbolicTensor;
    const seq = Input({ shape: [9, 4] });
    const sep1 = new L.SeparableConv1D(3, 3, {
      padding: 'causal',
      depthMultiplier: 3,
      biasInitializer: 'randomUniform',
    }).apply(seq) as SymbolicTensor;
    const t1 = new L.Conv1DTranspose(2, 3, {
      strides: 2,
      padding: 'same',
      biasInitializer: 'randomUniform',
    }).apply(seq) as SymbolicTensor;
    const t1b = new L.Conv1DTranspose(3, 4, { strides: 3, outputPadding: 1 }).apply(
      sep1,
    ) as SymbolicTensor;
    const model = new Model({
      inputs: [img, seq],
      outputs: [sep2, sep2b, t1, t1b],
      name: 'separable',
    });
    const xs = [randomUniform([2, 7, 6, 3], -2, 2), randomUniform([2, 9, 4], -2, 2)];
    for (const opset of [17, 18]) {
      const err = await onnxError(model, xs, opset);
      assert.ok(err <= 1e-4, `separable (opset ${opset}): ONNX Runtime max error ${err}`);
    }
  });

  it('Conv3D and the 3-D pooling layers', async () => {
    setSeed(8);
    const x = Input({ shape: [6, 5, 4, 2] });
    const c = new L.Conv3D(3, [3, 2, 2], {
      padding: 'same',
      strides: [1, 2, 1],
      biasInitializer: 'randomUniform',
      activation: 'tanh',
    }).apply(x) as SymbolicTensor;
    const pooled = [
      new L.MaxPooling3D({ poolSize: 2 }).apply(c),
      new L.AveragePooling3D({ poolSize: [2, 2, 2], strides: 1, padding: 'same' }).apply(c),
    ] as SymbolicTensor[];
    const model = new Model({
      inputs: x,
      outputs: [
        ...pooled,
        new L.GlobalAveragePooling3D().apply(c) as SymbolicTensor,
        new L.GlobalMaxPooling3D().apply(c) as SymbolicTensor,
      ],
      name: 'conv3d',
    });
    await expectFilesAgree(model, [2, 6, 5, 4, 2]);
  });

  it('Attention (dot, concat, useScale, causal, scores) and AdditiveAttention', async () => {
    setSeed(9);
    const q = Input({ shape: [4, 6] });
    const v = Input({ shape: [5, 6] });
    const k = Input({ shape: [5, 6] });
    const withScores = new L.Attention({ useScale: true }).apply([q, v, k], {
      returnAttentionScores: true,
    }) as SymbolicTensor[];
    const concat = new L.Attention({ scoreMode: 'concat', useScale: true, dropout: 0.3 }).apply([
      q,
      v,
    ]) as SymbolicTensor;
    const causal = new L.Attention().apply([q, v], { useCausalMask: true }) as SymbolicTensor;
    const additive = new L.AdditiveAttention().apply([q, v, k]) as SymbolicTensor;
    const plain = new L.AdditiveAttention({ useScale: false }).apply([q, v]) as SymbolicTensor;
    for (const layer of [concat, additive].map((t) => t.producer!.layer))
      layer.setWeights(layer.getWeights().map((w) => randomUniform(w.shape, 0.5, 1.5)));
    const model = new Model({
      inputs: [q, v, k],
      outputs: [...withScores, concat, causal, additive, plain],
      name: 'attention',
    });
    const xs = [
      [2, 4, 6],
      [2, 5, 6],
      [2, 5, 6],
    ].map((s) => randomUniform(s, -1, 1));
    for (const opset of [17, 18]) {
      const err = await onnxError(model, xs, opset);
      assert.ok(err <= 1e-4, `attention (opset ${opset}): ONNX Runtime max error ${err}`);
    }
  });

  it('ConvLSTM2D and the RNN wrapper are refused by name, with the reason', () => {
    const x = Input({ shape: [3, 5, 5, 2] });
    const conv = new L.ConvLSTM2D(2, 3, { name: 'clstm' }).apply(x) as SymbolicTensor;
    assert.throws(
      () => exportOnnx(new Model({ inputs: x, outputs: conv })),
      /layer 'clstm' \(ConvLSTM2D\) has no ONNX conversion \(ONNX has no convolutional recurrent op\)/,
    );
    const s = Input({ shape: [4, 3] });
    const rnn = new L.RNN(new L.LSTMCell(2), { name: 'wrapped' }).apply(s) as SymbolicTensor;
    assert.throws(
      () => exportOnnx(new Model({ inputs: s, outputs: rnn })),
      /layer 'wrapped' \(RNN\) has no ONNX conversion \(a loop over an arbitrary cell; use the LSTM/,
    );
  });
});
