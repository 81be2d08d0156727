import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsModel, saveTfjsModel } from '../../src/io/tfjs/tfjs-format.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import * as layers from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { cast, floor } from '../../src/ops/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';
import { fileLoader, fileSaver, maxError } from './fixtures/tfjs-io.js';

const L = layers as unknown as Record<string, any>;
const dir = mkdtempSync(join(tmpdir(), 'keel-tfjs-'));

describe('TensorFlow.js interop', async () => {
  await tf.setBackend('cpu');

  it('loads a tfjs seed CNN built and saved with tfjs, with equal predictions', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', inputShape: [12, 12, 1] }),
    );
    m.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    m.add(tf.layers.flatten());
    m.add(tf.layers.dense({ units: 10, activation: 'softmax' }));
    const path = join(dir, 'from-tfjs', 'model.json');
    await m.save(fileSaver(path));
    const model = loadTfjsModel(path);
    setSeed(2);
    const x = randomUniform([3, 12, 12, 1]);
    const expected = (
      m.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as tf.Tensor
    ).dataSync();
    const err = maxError((model.predict(x) as Tensor).data, expected);
    console.log(`tfjs → Keel seed CNN max abs error ${err}`);
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  it('saves a Keel seed CNN that tf.loadLayersModel loads with equal predictions', async () => {
    setSeed(3);
    const model = new Sequential([
      new L.Conv2D(8, [3, 3], { activation: 'relu', inputShape: [12, 12, 1] }),
      new L.MaxPooling2D([2, 2]),
      new L.Flatten(),
      new L.Dense(10, { activation: 'softmax' }),
    ]);
    const path = saveTfjsModel(model, join(dir, 'to-tfjs'));
    const loaded = await tf.loadLayersModel(fileLoader(path));
    const x = randomUniform([3, 12, 12, 1]);
    const got = (
      loaded.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as tf.Tensor
    ).dataSync();
    const err = maxError((model.predict(x) as Tensor).data, got);
    console.log(`Keel → tfjs seed CNN max abs error ${err}`);
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  it('round-trips a functional model with batch norm and concatenation both ways', async () => {
    setSeed(4);
    const a = Input({ shape: [6] });
    const h = new L.BatchNormalization().apply(new L.Dense(5, { activation: 'tanh' }).apply(a));
    const z = new L.Concatenate().apply([h, new L.Dropout(0.2).apply(a)]);
    const model = new Model({ inputs: a, outputs: new L.Dense(2).apply(z) });
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, 0.5, 1.5)));
    const path = saveTfjsModel(model, join(dir, 'functional'));
    const loaded = await tf.loadLayersModel(fileLoader(path));
    const x = randomUniform([4, 6]);
    const viaTf = (
      loaded.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as tf.Tensor
    ).dataSync();
    assert.ok(maxError((model.predict(x) as Tensor).data, viaTf) <= 1e-5);
    const back = join(dir, 'functional-back', 'model.json');
    await loaded.save(fileSaver(back));
    const again = loadTfjsModel(back);
    assert.ok(maxError((again.predict(x) as Tensor).data, viaTf) <= 1e-5);
  });

  it('moves the seed LSTM (Embedding → LSTM with dropouts → sigmoid Dense) both ways', async () => {
    setSeed(12);
    const model = new Sequential([
      new L.Embedding(50, 8, { inputLength: 10 }),
      new L.LSTM(16, { dropout: 0.2, recurrentDropout: 0.2 }),
      new L.Dense(1, { activation: 'sigmoid' }),
    ]);
    model.build([null, 10]);
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    const ids = cast(floor(randomUniform([4, 10], 0, 49.99)), 'int32');
    const toTf = await tf.loadLayersModel(fileLoader(saveTfjsModel(model, join(dir, 'seed-lstm'))));
    const viaTf = (
      toTf.predict(tf.tensor(ids.data as Int32Array, [...ids.shape], 'int32')) as tf.Tensor
    ).dataSync();
    const err = maxError((model.predict(ids) as Tensor).data, viaTf);
    console.log(`Keel → tfjs seed LSTM max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
    const back = join(dir, 'seed-lstm-back', 'model.json');
    await toTf.save(fileSaver(back));
    const err2 = maxError((loadTfjsModel(back).predict(ids) as Tensor).data, viaTf);
    console.log(`tfjs → Keel seed LSTM max abs error ${err2}`);
    assert.ok(err2 <= 1e-4, `max error ${err2}`);
  });

  it('moves LSTM and GRU models both ways with equal predictions', async () => {
    const m = tf.sequential();
    // tfjs defaults recurrentActivation to its hard_sigmoid, which Keel's fused LSTM/GRU lack.
    m.add(
      tf.layers.lstm({
        units: 4,
        returnSequences: true,
        inputShape: [5, 3],
        recurrentActivation: 'sigmoid',
      }),
    );
    m.add(tf.layers.gru({ units: 3, recurrentActivation: 'sigmoid' }));
    m.add(tf.layers.dense({ units: 2 }));
    const path = join(dir, 'rnn-from-tfjs', 'model.json');
    await m.save(fileSaver(path));
    const model = loadTfjsModel(path);
    setSeed(5);
    const x = randomUniform([2, 5, 3], -1, 1);
    const viaTf = (
      m.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as tf.Tensor
    ).dataSync();
    const err = maxError((model.predict(x) as Tensor).data, viaTf);
    console.log(`tfjs → Keel LSTM+GRU max abs error ${err}`);
    assert.ok(err <= 1e-5, `max error ${err}`);
    const back = await tf.loadLayersModel(
      fileLoader(saveTfjsModel(model, join(dir, 'rnn-to-tfjs'))),
    );
    const again = (
      back.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as tf.Tensor
    ).dataSync();
    assert.ok(maxError((model.predict(x) as Tensor).data, again) <= 1e-5);
  });

  it("keeps tfjs's hard_sigmoid (slope 0.2) semantics both ways", async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ units: 4, activation: 'hardSigmoid', inputShape: [3] }));
    const path = join(dir, 'hard', 'model.json');
    await m.save(fileSaver(path));
    const model = loadTfjsModel(path);
    const x = randomUniform([5, 3], -4, 4);
    const viaTf = (
      m.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as tf.Tensor
    ).dataSync();
    assert.ok(maxError((model.predict(x) as Tensor).data, viaTf) <= 1e-6);
    const back = await tf.loadLayersModel(fileLoader(saveTfjsModel(model, join(dir, 'hard-back'))));
    const again = (
      back.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as tf.Tensor
    ).dataSync();
    assert.ok(maxError(again, viaTf) <= 1e-6);
  });

  it('rejects weight paths that leave the model directory and truncated shards', () => {
    const path = join(dir, 'evil', 'model.json');
    mkdirSync(dirname(path), { recursive: true });
    const topology = { class_name: 'Sequential', config: { layers: [] } };
    writeFileSync(
      path,
      JSON.stringify({
        modelTopology: topology,
        weightsManifest: [{ paths: ['../../etc/passwd'], weights: [] }],
      }),
    );
    assert.throws(() => loadTfjsModel(path), /must be relative and stay in the model's directory/);
    writeFileSync(join(dirname(path), 'w.bin'), Buffer.alloc(8));
    writeFileSync(
      path,
      JSON.stringify({
        modelTopology: topology,
        weightsManifest: [
          { paths: ['w.bin'], weights: [{ name: 'k', shape: [4], dtype: 'float32' }] },
        ],
      }),
    );
    assert.throws(() => loadTfjsModel(path), /'k' \[4\] runs past the end/);
  });

  it('moves a Transformer block both ways (MultiHeadAttention as tfjs Dense/Dot/softmax layers)', async () => {
    setSeed(6);
    const x = Input({ shape: [5, 8] });
    const att = new L.MultiHeadAttention(2, 4).apply([x, x]);
    const h = new L.LayerNormalization({ epsilon: 1e-6 }).apply(new L.Add().apply([x, att]));
    const ff = new L.Dense(8).apply(new L.Dense(16, { activation: 'gelu' }).apply(h));
    const out = new L.LayerNormalization({ epsilon: 1e-6 }).apply(new L.Add().apply([h, ff]));
    const model = new Model({ inputs: x, outputs: out });
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    const loaded = await tf.loadLayersModel(fileLoader(saveTfjsModel(model, join(dir, 'block'))));
    const input = randomUniform([3, 5, 8], -1, 1);
    const viaTf = (
      loaded.predict(tf.tensor(input.data as Float32Array, [...input.shape])) as tf.Tensor
    ).dataSync();
    const want = (model.predict(input) as Tensor).data;
    const err = maxError(want, viaTf);
    console.log(`Keel → tfjs Transformer block max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
    // tfjs saves it again; Keel loads the per-head form (Dot layers) with the same predictions.
    const back = join(dir, 'block-back', 'model.json');
    await loaded.save(fileSaver(back));
    const again = loadTfjsModel(back);
    assert.ok(
      again.layers.some((l) => (l.constructor as { className?: string }).className === 'Dot'),
    );
    const err2 = maxError((again.predict(input) as Tensor).data, viaTf);
    console.log(`tfjs → Keel Transformer block max abs error ${err2}`);
    assert.ok(err2 <= 1e-4, `max error ${err2}`);
  });

  it('loads a Transformer block built with tfjs layers (Dense, Dot, softmax, LayerNormalization)', async () => {
    const x = tf.input({ shape: [6, 8] });
    const heads = [0, 1].map((i) => {
      const q = tf.layers.dense({ units: 4, name: `q${i}` }).apply(x) as tf.SymbolicTensor;
      const k = tf.layers.dense({ units: 4, name: `k${i}` }).apply(x) as tf.SymbolicTensor;
      const v = tf.layers.dense({ units: 4, name: `v${i}` }).apply(x) as tf.SymbolicTensor;
      const s = tf.layers.dot({ axes: [2, 2] }).apply([q, k]) as tf.SymbolicTensor;
      const p = tf.layers.activation({ activation: 'softmax' }).apply(s) as tf.SymbolicTensor;
      return tf.layers.dot({ axes: [2, 1] }).apply([p, v]) as tf.SymbolicTensor;
    });
    const att = tf.layers
      .dense({ units: 8 })
      .apply(tf.layers.concatenate().apply(heads)) as tf.SymbolicTensor;
    const h = tf.layers
      .layerNormalization({ epsilon: 1e-5 })
      .apply(tf.layers.add().apply([x, att])) as tf.SymbolicTensor;
    const ff = tf.layers
      .dense({ units: 8 })
      .apply(tf.layers.dense({ units: 16, activation: 'relu' }).apply(h)) as tf.SymbolicTensor;
    const y = tf.layers.layerNormalization().apply(tf.layers.add().apply([h, ff]));
    const m = tf.model({ inputs: x, outputs: y as tf.SymbolicTensor });
    const path = join(dir, 'tfjs-block', 'model.json');
    await m.save(fileSaver(path));
    const model = loadTfjsModel(path);
    setSeed(7);
    const input = randomUniform([2, 6, 8], -1, 1);
    const viaTf = (
      m.predict(tf.tensor(input.data as Float32Array, [...input.shape])) as tf.Tensor
    ).dataSync();
    const err = maxError((model.predict(input) as Tensor).data, viaTf);
    console.log(`tfjs-built Transformer block → Keel max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('says why attention options tfjs layers cannot express are refused', () => {
    const x = Input({ shape: [4, 8] });
    const causal = new L.MultiHeadAttention(2, 4).apply([x, x], { useCausalMask: true });
    assert.throws(
      () => saveTfjsModel(new Model({ inputs: x, outputs: causal }), join(dir, 'causal')),
      /MultiHeadAttention '.*': a call with useCausalMask cannot be written as tfjs layers/,
    );
    const rope = new L.MultiHeadAttention(2, 4, { useRotaryEmbedding: true }).apply([x, x]);
    assert.throws(
      () => saveTfjsModel(new Model({ inputs: x, outputs: rope }), join(dir, 'rope')),
      /rotary embeddings have no tfjs layer \(tfjs has no MultiHeadAttention\)/,
    );
  });
});
