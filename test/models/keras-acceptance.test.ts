/**
 * Issue 20's acceptance models: a U-Net-style model, a MobileNet-style block and a seq2seq model
 * each build, train a few steps on small random data (the loss falls), save and load (the same
 * predictions, bit for bit) and export to ONNX (ONNX Runtime agrees within 1e-4).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { Model } from '../../src/models/model.js';
import type { Layer } from '../../src/nn/engine/layer.js';
import type { SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import * as L from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import type { LossIdentifier } from '../../src/nn/losses/get-loss.js';
import { Adam } from '../../src/nn/optimizers/adam.js';
import { oneHot } from '../../src/ops/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';
import { onnxError } from '../io/onnx-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-acceptance-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Sym = SymbolicTensor;
const on = (layer: Layer, x: Sym | Sym[]): Sym =>
  (Array.isArray(x) ? layer.apply(x) : layer.apply(x)) as Sym;

/** Fits, then checks the loss fell, the save/load round trip and ONNX Runtime's predictions. */
async function accept(model: Model, x: Tensor, y: Tensor, loss: LossIdentifier): Promise<void> {
  model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss });
  const history = await model.fit(x, y, { epochs: 4, batchSize: 8, verbose: 0 });
  const losses = history.history['loss']!;
  assert.ok(losses.every(Number.isFinite), `${model.name}: losses ${losses.join(', ')}`);
  assert.ok(losses.at(-1)! < losses[0]!, `${model.name}: the loss falls: ${losses.join(', ')}`);

  const path = join(dir, `${model.name}.keel`);
  model.save(path);
  const loaded = loadModel(path);
  const want = model.predict(x) as Tensor;
  const got = loaded.predict(x) as Tensor;
  assert.deepEqual(got.shape, want.shape);
  assert.deepEqual([...got.data], [...want.data], `${model.name}: loaded predictions`);

  const err = await onnxError(model, [x]);
  assert.ok(err <= 1e-4, `${model.name}: ONNX Runtime max error ${err}`);
}

describe("issue 20's Keras-coverage models: fit, save/load, ONNX Runtime", () => {
  it('a U-Net-style model: Conv2D, GroupNormalization, Conv2DTranspose, UpSampling2D, Concatenate', async () => {
    setSeed(20);
    const x = Input({ shape: [8, 8, 3] });
    const block = (t: Sym, filters: number): Sym =>
      on(
        new L.GroupNormalization({ groups: 2 }),
        on(new L.Conv2D(filters, 3, { padding: 'same', activation: 'relu' }), t),
      );
    const skip = block(x, 4); // [8, 8, 4]
    const down = block(on(new L.MaxPooling2D({ poolSize: 2 }), skip), 8); // [4, 4, 8]
    const learned = on(new L.Conv2DTranspose(4, 2, { strides: 2 }), down); // [8, 8, 4]
    const resized = on(new L.UpSampling2D({ size: 2, interpolation: 'bilinear' }), down);
    const merged = on(new L.Concatenate(), [skip, learned, resized]); // [8, 8, 16]
    const out = on(new L.Conv2D(1, 1, { activation: 'sigmoid' }), block(merged, 4));
    const model = new Model({ inputs: x, outputs: out, name: 'unet' });
    const xs = randomUniform([16, 8, 8, 3], -1, 1);
    const ys = randomUniform([16, 8, 8, 1], 0, 1);
    await accept(model, xs, ys, 'mse');
  });

  it('a MobileNet-style block: DepthwiseConv2D, SeparableConv2D, ReLU(maxValue 6), BatchNormalization', async () => {
    setSeed(21);
    const x = Input({ shape: [10, 10, 3] });
    const bnRelu6 = (t: Sym): Sym =>
      on(new L.ReLU({ maxValue: 6 }), on(new L.BatchNormalization(), t));
    let t = bnRelu6(on(new L.Conv2D(8, 3, { strides: 2, padding: 'same', useBias: false }), x));
    t = bnRelu6(on(new L.DepthwiseConv2D(3, { padding: 'same', useBias: false }), t));
    t = bnRelu6(on(new L.Conv2D(12, 1, { useBias: false }), t));
    t = bnRelu6(on(new L.SeparableConv2D(12, 3, { padding: 'same', depthMultiplier: 2 }), t));
    const pooled = on(new L.GlobalAveragePooling2D(), t);
    const out = on(new L.Dense(3, { activation: 'softmax' }), on(new L.Dropout(0.1), pooled));
    const model = new Model({ inputs: x, outputs: out, name: 'mobilenet' });
    const xs = randomUniform([16, 10, 10, 3], 0, 2);
    const labels = tensor(
      Int32Array.from({ length: 16 }, (_, i) => i % 3),
      [16],
    );
    await accept(model, xs, oneHot(labels, 3), 'categorical_crossentropy');
  });

  it('a seq2seq model: Bidirectional(LSTM) encoder, RepeatVector, LSTM decoder, TimeDistributed(Dense)', async () => {
    setSeed(22);
    const x = Input({ shape: [6, 3] });
    const encoded = on(new L.Bidirectional(new L.LSTM(8)), x); // [16]
    const repeated = on(new L.RepeatVector(5), encoded); // [5, 16]
    const decoded = on(new L.LSTM(8, { returnSequences: true }), repeated); // [5, 8]
    const out = on(new L.TimeDistributed(new L.Dense(2)), decoded); // [5, 2]
    const model = new Model({ inputs: x, outputs: out, name: 'seq2seq' });
    const xs = randomUniform([16, 6, 3], -1, 1);
    const ys = randomUniform([16, 5, 2], -1, 1);
    await accept(model, xs, ys, 'mse');
  });
});
