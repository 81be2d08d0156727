import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import * as layers from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { cast, floor } from '../../src/ops/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import '../../src/backends/index.js';
import { onnxError } from './onnx-helpers.js';

const L = layers as unknown as Record<string, any>;

export { onnxError };

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

  it('the seed LSTM (Embedding → LSTM with dropouts → sigmoid Dense) matches', async () => {
    setSeed(12);
    const model = new Sequential([
      new L.Embedding(50, 8, { inputLength: 10 }),
      new L.LSTM(16, { dropout: 0.2, recurrentDropout: 0.2 }),
      new L.Dense(1, { activation: 'sigmoid' }),
    ]);
    model.build([null, 10]);
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    // A Sequential's input is float32: the ids arrive as floats, as in examples/spam-lstm.ts.
    const ids = floor(randomUniform([4, 10], 0, 49.99));
    const err = await onnxError(model, [ids]);
    console.log(`onnx export seed LSTM max abs error ${err}`);
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

  for (const mergeMode of ['concat', 'sum', 'mul', 'ave', null] as const) {
    for (const name of ['LSTM', 'GRU', 'SimpleRNN']) {
      it(`Bidirectional(${name}) with mergeMode ${mergeMode} matches`, async () => {
        setSeed(7);
        const x = Input({ shape: [6, 3] });
        const seq = new L.Bidirectional(new L[name](4, { returnSequences: true }), {
          mergeMode,
        }).apply(x);
        const outs = Array.isArray(seq) ? seq : [seq];
        const last = outs.map((t: unknown) =>
          new L.Bidirectional(new L[name](3), { mergeMode }).apply(t),
        );
        const model = new Model({ inputs: x, outputs: [...outs, ...last.flat()] });
        model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
        const err = await onnxError(model, [randomUniform([2, 6, 3], -1, 1)]);
        if (mergeMode === 'concat')
          console.log(`onnx export Bidirectional(${name}) max abs error ${err}`);
        assert.ok(err <= 1e-4, `max error ${err}`);
      });
    }
  }

  it('TimeDistributed(Dense) and TimeDistributed(Conv2D) match, with a free number of steps', async () => {
    setSeed(8);
    const x = Input({ shape: [null, 6, 6, 2] });
    const conv = new L.TimeDistributed(new L.Conv2D(3, [3, 3], { activation: 'relu' })).apply(x);
    const flat = new L.TimeDistributed(new L.Flatten()).apply(conv);
    const y = new L.TimeDistributed(new L.Dense(4, { activation: 'tanh' })).apply(flat);
    const model = new Model({ inputs: x, outputs: new L.GlobalAveragePooling1D().apply(y) });
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    for (const steps of [1, 5]) {
      const err = await onnxError(model, [randomUniform([2, steps, 6, 6, 2], -1, 1)]);
      if (steps === 5) console.log(`onnx export TimeDistributed max abs error ${err}`);
      assert.ok(err <= 1e-4, `steps ${steps}: max error ${err}`);
    }
  });

  it('positional embeddings and 1-D global pooling match', async () => {
    setSeed(9);
    const ids = Input({ shape: [null], dtype: 'int32' });
    const emb = new L.TokenAndPositionEmbedding(11, 8, 6).apply(ids);
    const pooled = new L.GlobalMaxPooling1D().apply(emb);
    const x = Input({ shape: [5, 8] });
    const pe = new L.Add().apply([x, new L.SinusoidalPositionEncoding().apply(x)]);
    const avg = new L.GlobalAveragePooling1D().apply(pe);
    const model = new Model({
      inputs: [ids, x],
      outputs: [new L.Dense(2).apply(new L.Concatenate().apply([pooled, avg])), emb],
    });
    for (const steps of [6, 3]) {
      const tokens = cast(floor(randomUniform([2, steps], 0, 10.99)), 'int32');
      const err = await onnxError(model, [tokens, randomUniform([2, 5, 8], -1, 1)]);
      if (steps === 6) console.log(`onnx export positional embeddings max abs error ${err}`);
      assert.ok(err <= 1e-4, `steps ${steps}: max error ${err}`);
    }
  });

  it('Masking and Embedding(maskZero) export their values; a layer reading the mask is refused', async () => {
    setSeed(10);
    const x = Input({ shape: [4, 3] });
    const m = new L.Masking({ maskValue: 0 }).apply(x);
    const model = new Model({ inputs: x, outputs: new L.Dense(2).apply(m) });
    const input = randomUniform([2, 4, 3], -1, 1);
    input.data.fill(0, 3, 6); // sample 0, step 1: all features equal maskValue
    const err = await onnxError(model, [input]);
    assert.ok(err <= 1e-4, `max error ${err}`);
    const lstm = new Model({ inputs: x, outputs: new L.LSTM(2).apply(m) });
    assert.throws(
      () => exportOnnx(lstm),
      /layer '.*' \(LSTM\) would read the mask made by '.*' \(Masking\); ONNX has no masks/,
    );
    const ids = Input({ shape: [5], dtype: 'int32' });
    const e = new L.Embedding(10, 3, { maskZero: true }).apply(ids);
    assert.throws(
      () => exportOnnx(new Model({ inputs: ids, outputs: new L.GRU(2).apply(e) })),
      /\(GRU\) would read the mask made by '.*' \(Embedding\)/,
    );
  });

  it('names the layer that has no conversion', () => {
    const x = Input({ shape: [4, 4] });
    const model = new Model({ inputs: x, outputs: new L.RotaryEmbedding().apply(x) });
    assert.throws(() => exportOnnx(model), /layer '.*' \(RotaryEmbedding\) has no ONNX conversion/);
    const causal = new L.MultiHeadAttention(2, 2).apply([x, x], { useCausalMask: true });
    assert.throws(
      () => exportOnnx(new Model({ inputs: x, outputs: causal })),
      /a call with useCausalMask has no ONNX conversion yet/,
    );
  });
});
