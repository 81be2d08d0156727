import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import * as layers from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { cast, floor } from '../../src/ops/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const L = layers as unknown as Record<string, any>;

/** Max |Keel − ONNX Runtime| over the outputs of `model` on `xs`. */
export async function onnxError(model: Model, xs: Tensor[], opset = 17): Promise<number> {
  const session = await ort.InferenceSession.create(exportOnnx(model, { opset }));
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((n, i) => {
    const x = xs[i]!;
    feeds[n] = new ort.Tensor(
      x.dtype === 'int32' ? 'int32' : 'float32',
      x.data as Float32Array,
      x.shape,
    );
  });
  const result = await session.run(feeds);
  const keel = model.predict(xs.length === 1 ? xs[0]! : xs);
  const outs = Array.isArray(keel) ? keel : [keel];
  let max = 0;
  session.outputNames.forEach((n, i) => {
    const o = result[n]!;
    assert.deepEqual([...o.dims], outs[i]!.shape, `output ${i} shape`);
    const a = o.data as Float32Array;
    const k = outs[i]!.data;
    for (let j = 0; j < k.length; j++) max = Math.max(max, Math.abs(a[j]! - k[j]!));
  });
  return max;
}

function perturb(model: Model): void {
  model.setWeights(model.weights.map((w) => randomUniform(w.shape, 0.2, 1.2)));
}

describe('ONNX export, run in ONNX Runtime', () => {
  it('the seed CNN matches Keel to 1e-4', async () => {
    setSeed(1);
    const model = new Sequential([
      new L.Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }),
      new L.MaxPooling2D([2, 2]),
      new L.Flatten(),
      new L.Dense(10, { activation: 'softmax' }),
    ]);
    const err = await onnxError(model, [randomUniform([4, 28, 28, 1])]);
    console.log(`onnx export seed CNN max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('convolutions, pooling, batch norm, reshape, dropout and activations match', async () => {
    setSeed(2);
    const x = Input({ shape: [10, 10, 3] });
    let y = new L.Conv2D(4, [3, 3], { padding: 'same', strides: [2, 2], activation: 'gelu' }).apply(
      x,
    );
    y = new L.BatchNormalization().apply(y);
    y = new L.AveragePooling2D([2, 2], { padding: 'same' }).apply(y);
    y = new L.Activation('silu').apply(y);
    y = new L.Reshape([3, 12]).apply(y);
    y = new L.Conv1D(5, 2, { padding: 'causal', activation: 'elu' }).apply(y);
    y = new L.Dropout(0.5).apply(y);
    const g = new L.GlobalAveragePooling2D().apply(
      new L.MaxPooling2D([2, 2], { padding: 'same' }).apply(x),
    );
    const a = new L.Dense(6, { activation: 'tanh' }).apply(new L.Flatten().apply(y));
    const z = new L.Concatenate().apply([a, new L.Dense(6, { activation: 'sigmoid' }).apply(g)]);
    const model = new Model({
      inputs: x,
      outputs: new L.Dense(3, { activation: 'softmax' }).apply(z),
    });
    perturb(model);
    const input = randomUniform([2, 10, 10, 3], -1, 1);
    for (const opset of [17, 18, 20]) {
      const err = await onnxError(model, [input], opset);
      assert.ok(err <= 1e-4, `opset ${opset}: max error ${err}`);
    }
  });

  it('merge layers with two inputs match', async () => {
    setSeed(3);
    const a = Input({ shape: [4] });
    const b = Input({ shape: [4] });
    const s = new L.Add().apply([a, b]);
    const m = new L.Multiply().apply([s, a]);
    const model = new Model({
      inputs: [a, b],
      outputs: new L.Dense(2, { activation: 'relu6' }).apply(m),
    });
    const err = await onnxError(model, [randomUniform([3, 4]), randomUniform([3, 4])]);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  for (const name of ['LSTM', 'GRU', 'SimpleRNN']) {
    it(`${name} (returnSequences and last state) matches`, async () => {
      if (!L[name]) return assert.fail(`${name} is not available`);
      setSeed(4);
      const x = Input({ shape: [6, 3] });
      const seq = new L[name](5, { returnSequences: true }).apply(x);
      const last = new L[name](4).apply(seq);
      const model = new Model({ inputs: x, outputs: last });
      perturb(model);
      model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
      const err = await onnxError(model, [randomUniform([2, 6, 3], -1, 1)]);
      console.log(`onnx export ${name} max abs error ${err}`);
      assert.ok(err <= 1e-4, `max error ${err}`);
    });
  }

  it('a Transformer block (MultiHeadAttention, LayerNormalization, Dense) matches', async () => {
    setSeed(5);
    const x = Input({ shape: [5, 8] });
    const att = new L.MultiHeadAttention(2, 4).apply([x, x]);
    const h = new L.LayerNormalization({ epsilon: 1e-6 }).apply(new L.Add().apply([x, att]));
    const ff = new L.Dense(8).apply(new L.Dense(16, { activation: 'gelu' }).apply(h));
    const out = new L.LayerNormalization({ epsilon: 1e-6 }).apply(new L.Add().apply([h, ff]));
    const model = new Model({ inputs: x, outputs: out });
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    const err = await onnxError(model, [randomUniform([2, 5, 8], -1, 1)]);
    console.log(`onnx export Transformer block max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('Embedding matches when available', async () => {
    if (!L['Embedding']) return;
    setSeed(6);
    const x = Input({ shape: [5], dtype: 'int32' });
    const model = new Model({
      inputs: x,
      outputs: new L.Dense(2).apply(new L.Embedding(10, 3).apply(x)),
    });
    const err = await onnxError(model, [cast(floor(randomUniform([2, 5], 0, 9.99)), 'int32')]);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('names the layer that has no conversion', () => {
    const x = Input({ shape: [4, 4] });
    const model = new Model({ inputs: x, outputs: new L.SinusoidalPositionEncoding().apply(x) });
    assert.throws(
      () => exportOnnx(model),
      /layer '.*' \(SinusoidalPositionEncoding\) has no ONNX conversion/,
    );
  });
});
