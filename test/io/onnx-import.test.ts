import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OnnxBuilder } from '../../src/io/onnx/builder.js';
import { exportOnnx, saveOnnx } from '../../src/io/onnx/export.js';
import { importOnnx, loadOnnx } from '../../src/io/onnx/import.js';
import { ModelProto } from '../../src/io/onnx/schema.js';
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
const dir = mkdtempSync(join(tmpdir(), 'keel-onnx-'));

function maxError(a: Tensor | Tensor[], b: Tensor | Tensor[]): number {
  const as = Array.isArray(a) ? a : [a];
  const bs = Array.isArray(b) ? b : [b];
  let m = 0;
  as.forEach((t, i) => {
    assert.deepEqual(t.shape, bs[i]!.shape);
    for (let j = 0; j < t.size; j++) m = Math.max(m, Math.abs(t.data[j]! - bs[i]!.data[j]!));
  });
  return m;
}

/** Export → import → same predictions; then one training step runs and changes the weights. */
async function roundTrip(model: Model, xs: Tensor[], ys: Tensor, file: string): Promise<number> {
  const path = join(dir, file);
  saveOnnx(model, path);
  const imported = loadOnnx(path);
  const x = xs.length === 1 ? xs[0]! : xs;
  const err = maxError(imported.predict(x), model.predict(x));
  imported.compile({ optimizer: 'sgd', loss: 'mse' });
  const before = imported.getWeights();
  await imported.fit(x, ys, { epochs: 1, batchSize: 64, verbose: 0 });
  assert.ok(maxError(imported.getWeights(), before) > 0, 'one fit step changed the weights');
  return err;
}

describe('ONNX import', () => {
  it('round-trips the seed CNN (export → import → same predictions → fit one step)', async () => {
    setSeed(1);
    const model = new Sequential([
      new L.Conv2D(8, [3, 3], { activation: 'relu', inputShape: [12, 12, 1] }),
      new L.MaxPooling2D([2, 2]),
      new L.Flatten(),
      new L.Dense(10, { activation: 'softmax' }),
    ]);
    const imported = importOnnx(exportOnnx(model));
    assert.deepEqual(
      imported.layers.map((l) => (l.constructor as { className?: string }).className),
      ['InputLayer', 'Conv2D', 'Activation', 'MaxPooling2D', 'Flatten', 'Dense', 'Activation'],
      'the transposes around Conv and MaxPool cancel out',
    );
    const err = await roundTrip(
      model,
      [randomUniform([4, 12, 12, 1])],
      randomUniform([4, 10]),
      'cnn.onnx',
    );
    console.log(`onnx import seed CNN max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('round-trips conv/pool/batch-norm/gelu/silu/concat graphs', async () => {
    setSeed(2);
    const x = Input({ shape: [8, 8, 3] });
    let y = new L.Conv2D(4, [3, 3], { padding: 'same', activation: 'gelu' }).apply(x);
    y = new L.BatchNormalization().apply(y);
    y = new L.AveragePooling2D([2, 2]).apply(y);
    y = new L.Activation('silu').apply(y);
    const g = new L.GlobalMaxPooling2D().apply(y);
    const f = new L.Dense(5, { activation: 'tanh' }).apply(new L.Flatten().apply(y));
    const z = new L.Concatenate().apply([f, g]);
    const r = new L.Conv1D(2, 2, { padding: 'causal' }).apply(
      new L.Reshape([3, 3]).apply(new L.Dense(9).apply(z)),
    );
    const model = new Model({ inputs: x, outputs: new L.Dense(2).apply(new L.Flatten().apply(r)) });
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, 0.3, 1.1)));
    const err = await roundTrip(
      model,
      [randomUniform([3, 8, 8, 3], -1, 1)],
      randomUniform([3, 2]),
      'mixed.onnx',
    );
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  for (const name of ['LSTM', 'GRU', 'SimpleRNN']) {
    it(`round-trips ${name}`, async () => {
      setSeed(3);
      const x = Input({ shape: [5, 3] });
      const seq = new L[name](4, { returnSequences: true }).apply(x);
      const model = new Model({ inputs: x, outputs: new L[name](3).apply(seq) });
      model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
      const err = await roundTrip(
        model,
        [randomUniform([2, 5, 3], -1, 1)],
        randomUniform([2, 3]),
        `${name}.onnx`,
      );
      console.log(`onnx import ${name} max abs error ${err}`);
      assert.ok(err <= 1e-4, `max error ${err}`);
    });
  }

  it('round-trips the seed LSTM (Embedding → LSTM → sigmoid Dense)', async () => {
    setSeed(12);
    const model = new Sequential([
      new L.Embedding(50, 8, { inputLength: 10 }),
      new L.LSTM(16, { dropout: 0.2, recurrentDropout: 0.2 }),
      new L.Dense(1, { activation: 'sigmoid' }),
    ]);
    model.build([null, 10]);
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    const ids = cast(floor(randomUniform([4, 10], 0, 49.99)), 'int32');
    const err = await roundTrip(model, [ids], randomUniform([4, 1]), 'seed-lstm.onnx');
    console.log(`onnx import seed LSTM max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('round-trips a Transformer block (MultiHeadAttention, LayerNormalization, gelu Dense)', async () => {
    setSeed(5);
    const x = Input({ shape: [5, 8] });
    const att = new L.MultiHeadAttention(2, 4).apply([x, x]);
    const h = new L.LayerNormalization({ epsilon: 1e-6 }).apply(new L.Add().apply([x, att]));
    const ff = new L.Dense(8).apply(new L.Dense(16, { activation: 'gelu' }).apply(h));
    const out = new L.LayerNormalization({ epsilon: 1e-6 }).apply(new L.Add().apply([h, ff]));
    const model = new Model({ inputs: x, outputs: out });
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    const imported = importOnnx(exportOnnx(model));
    assert.deepEqual(
      imported.layers.map((l) => (l.constructor as { className?: string }).className),
      [
        'InputLayer',
        'MultiHeadAttention',
        'Add',
        'LayerNormalization',
        'Dense',
        'Activation',
        'Dense',
        'Add',
        'LayerNormalization',
      ],
    );
    const err = await roundTrip(
      model,
      [randomUniform([2, 5, 8], -1, 1)],
      randomUniform([2, 5, 8]),
      'transformer.onnx',
    );
    console.log(`onnx import Transformer block max abs error ${err}`);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('round-trips cross-attention with its own value size and no biases', async () => {
    setSeed(6);
    const q = Input({ shape: [4, 6] });
    const kv = Input({ shape: [7, 5] });
    const key = Input({ shape: [7, 3] });
    const att = new L.MultiHeadAttention(3, 2, { valueDim: 4, useBias: false, outputShape: 5 });
    const model = new Model({ inputs: [q, kv, key], outputs: att.apply([q, kv, key]) });
    model.setWeights(model.weights.map((w) => randomUniform(w.shape, -0.5, 0.5)));
    const err = await roundTrip(
      model,
      [randomUniform([2, 4, 6]), randomUniform([2, 7, 5]), randomUniform([2, 7, 3])],
      randomUniform([2, 4, 5]),
      'cross.onnx',
    );
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it('rejects garbage and unsupported operators with errors naming the file', () => {
    assert.throws(() => importOnnx(new Uint8Array([1, 2, 3, 4, 5]), 'bad.onnx'), /bad.onnx/);
    const b = new OnnxBuilder();
    const y = b.op('Cos', ['x']);
    const info = (name: string) => ({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'b' }, { dimValue: 3 }] } } },
    });
    const bytes = ModelProto.encode(
      ModelProto.fromObject({
        irVersion: 8,
        opsetImport: [{ version: 17 }],
        graph: { node: b.nodes, input: [info('x')], output: [info(y)] },
      }),
    ).finish();
    assert.throws(
      () => importOnnx(bytes, 'cos.onnx'),
      /cos.onnx: node 0 .*\(Cos\): operator Cos is not supported/,
    );
  });

  it('lists every unsupported operator of the graph in one error, with node names and counts', () => {
    const b = new OnnxBuilder();
    const y = b.op('Cos', [b.op('Sin', [b.op('Cos', [b.op('Relu', ['x'])])])]);
    b.nodes.forEach((n, i) => {
      n.name = `n${i}`;
    });
    const info = (name: string) => ({
      name,
      type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'b' }, { dimValue: 3 }] } } },
    });
    const bytes = ModelProto.encode(
      ModelProto.fromObject({
        irVersion: 8,
        opsetImport: [{ version: 17 }],
        graph: { node: b.nodes, input: [info('x')], output: [info(y)] },
      }),
    ).finish();
    assert.throws(
      () => importOnnx(bytes, 'many.onnx'),
      /many.onnx: node 1 'n1' \(Cos\): .*unsupported operators: Cos \(2 nodes: 'n1', 'n3'\), Sin \(1 node: 'n2'\)$/,
    );
  });

  it('names the attention part that differs from the known layouts', () => {
    const x = Input({ shape: [5, 8] });
    const model = new Model({ inputs: x, outputs: new L.MultiHeadAttention(2, 4).apply([x, x]) });
    const bytes = exportOnnx(model);
    // A scale other than 1/√keyDim: Keel's MultiHeadAttention cannot hold it.
    const text = Buffer.from(bytes);
    const scale = Buffer.from(new Float32Array([0.5]).buffer);
    const at = text.indexOf(scale);
    assert.ok(at > 0);
    Buffer.from(new Float32Array([0.25]).buffer).copy(text, at);
    assert.throws(
      () => importOnnx(text, 'm.onnx'),
      /m.onnx: attention at node \d+ .*scaled by 0\.25, not 1\/√keyDim/,
    );
  });
});
