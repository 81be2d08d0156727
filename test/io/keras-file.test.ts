import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ModelCheckpoint } from '../../src/io/checkpoint/model-checkpoint.js';
import { loadKerasModel, saveKerasModel } from '../../src/io/keras/index.js';
import { GPT } from '../../src/models/gpt.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import type { Layer } from '../../src/nn/engine/layer.js';
import type { SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import * as layers from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { registeredLayerNames } from '../../src/nn/layers/registry.js';
import { cast, floor } from '../../src/ops/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-keras-file-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const L = layers as unknown as Record<string, any>;

/** Float weights set to values unlike their initializers, so a dropped weight shows. */
function perturb(model: Model): void {
  for (const w of model.weights) {
    if (w.dtype === 'float32') w.assign(randomUniform(w.shape, 0.5, 1.5));
  }
}

const bytes = (t: Tensor) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

function sameBits(a: Tensor | Tensor[], b: Tensor | Tensor[]): void {
  const as = Array.isArray(a) ? a : [a];
  const bs = Array.isArray(b) ? b : [b];
  assert.equal(as.length, bs.length);
  as.forEach((t, i) => {
    assert.deepEqual(t.shape, bs[i]!.shape);
    assert.ok(bytes(t).equals(bytes(bs[i]!)), 'values differ');
  });
}

async function roundTrip(model: Model, x: Tensor | Tensor[], file: string): Promise<Model> {
  const before = model.predict(x);
  const path = join(dir, file);
  await saveKerasModel(model, path);
  const loaded = await loadKerasModel(path);
  assert.equal(loaded.constructor, model.constructor);
  assert.deepEqual(
    loaded.weights.map((w) => [w.dtype, ...w.shape]),
    model.weights.map((w) => [w.dtype, ...w.shape]),
  );
  loaded.weights.forEach((w, i) => {
    assert.ok(bytes(w).equals(bytes(model.weights[i]!)), `weight ${w.name} differs`);
  });
  sameBits(loaded.predict(x), before);
  return loaded;
}

/** Every layer class inside `layer`, itself included. */
function classesIn(layer: Layer, out = new Set<string>()): Set<string> {
  out.add((layer.constructor as unknown as { className: string }).className);
  for (const sub of layer.sublayers) classesIn(sub, out);
  return out;
}

type Case = {
  make: () => Layer;
  shape: number[];
  /** How many inputs of `shape` the layer takes (merge and attention layers). */
  inputs?: number;
  int?: boolean;
  /** Keeps the inputs in this range (Embedding ids, positive values). */
  range?: [number, number];
};

const adapted = () => {
  const n = new L.Normalization();
  n.adapt(randomUniform([8, 4], -2, 3));
  return n;
};

/** One functional model per case: class name → the layer, its input shape without the batch. */
const CASES: Record<string, Case> = {
  Activation: { make: () => new L.Activation('tanh'), shape: [4] },
  Add: { make: () => new L.Add(), shape: [4], inputs: 2 },
  AdditiveAttention: { make: () => new L.AdditiveAttention(), shape: [3, 4], inputs: 2 },
  AlphaDropout: { make: () => new L.AlphaDropout(0.2), shape: [4] },
  ArgMax: { make: () => new L.ArgMax(), shape: [5] },
  Attention: { make: () => new L.Attention({ useScale: true }), shape: [3, 4], inputs: 2 },
  Average: { make: () => new L.Average(), shape: [4], inputs: 2 },
  AveragePooling1D: { make: () => new L.AveragePooling1D(2), shape: [6, 2] },
  AveragePooling2D: { make: () => new L.AveragePooling2D([2, 2]), shape: [4, 4, 2] },
  AveragePooling3D: { make: () => new L.AveragePooling3D(2), shape: [4, 4, 4, 1] },
  BatchNormalization: { make: () => new L.BatchNormalization(), shape: [4] },
  Bidirectional: {
    make: () => new L.Bidirectional(new L.LSTM(3, { returnSequences: true })),
    shape: [5, 2],
  },
  Concatenate: { make: () => new L.Concatenate(), shape: [4], inputs: 2 },
  Conv1D: { make: () => new L.Conv1D(2, 3, { padding: 'same' }), shape: [6, 2] },
  Conv1DTranspose: { make: () => new L.Conv1DTranspose(2, 3), shape: [6, 2] },
  Conv2D: { make: () => new L.Conv2D(2, [3, 3], { activation: 'relu' }), shape: [5, 5, 1] },
  Conv2DTranspose: { make: () => new L.Conv2DTranspose(2, 3), shape: [4, 4, 2] },
  Conv3D: { make: () => new L.Conv3D(2, 2), shape: [4, 4, 4, 1] },
  ConvLSTM2D: { make: () => new L.ConvLSTM2D(2, 3, { padding: 'same' }), shape: [3, 4, 4, 2] },
  Cropping1D: { make: () => new L.Cropping1D({ cropping: 1 }), shape: [6, 2] },
  Cropping2D: { make: () => new L.Cropping2D({ cropping: 1 }), shape: [5, 5, 2] },
  Dense: { make: () => new L.Dense(3, { activation: 'relu' }), shape: [4] },
  DepthwiseConv2D: { make: () => new L.DepthwiseConv2D(3), shape: [5, 5, 2] },
  Dot: { make: () => new L.Dot({ axes: [2, 2] }), shape: [3, 4], inputs: 2 },
  Dropout: { make: () => new L.Dropout(0.5), shape: [4] },
  ELU: { make: () => new L.ELU({ alpha: 0.7 }), shape: [4] },
  Embedding: { make: () => new L.Embedding(10, 3), shape: [5], int: true, range: [0, 9] },
  FakeQuantize: { make: () => new L.FakeQuantize({ scale: 0.05, zeroPoint: 128 }), shape: [4] },
  Flatten: { make: () => new L.Flatten(), shape: [2, 3] },
  GRU: { make: () => new L.GRU(3), shape: [5, 2] },
  GRUCell: { make: () => new L.RNN(new L.GRUCell(3)), shape: [5, 2] },
  GaussianDropout: { make: () => new L.GaussianDropout(0.2), shape: [4] },
  GaussianNoise: { make: () => new L.GaussianNoise(0.1), shape: [4] },
  GlobalAveragePooling1D: { make: () => new L.GlobalAveragePooling1D(), shape: [6, 2] },
  GlobalAveragePooling2D: { make: () => new L.GlobalAveragePooling2D(), shape: [4, 4, 2] },
  GlobalAveragePooling3D: { make: () => new L.GlobalAveragePooling3D(), shape: [3, 3, 3, 2] },
  GlobalMaxPooling1D: { make: () => new L.GlobalMaxPooling1D(), shape: [6, 2] },
  GlobalMaxPooling2D: { make: () => new L.GlobalMaxPooling2D(), shape: [4, 4, 2] },
  GlobalMaxPooling3D: { make: () => new L.GlobalMaxPooling3D(), shape: [3, 3, 3, 2] },
  GroupNormalization: { make: () => new L.GroupNormalization({ groups: 2 }), shape: [3, 4] },
  LSTM: { make: () => new L.LSTM(3, { returnSequences: true }), shape: [5, 2] },
  LSTMCell: { make: () => new L.RNN(new L.LSTMCell(3)), shape: [5, 2] },
  LayerNormalization: { make: () => new L.LayerNormalization(), shape: [4] },
  LeakyReLU: { make: () => new L.LeakyReLU({ negativeSlope: 0.2 }), shape: [4] },
  Masking: { make: () => new L.Masking(), shape: [5, 2] },
  MaxPooling1D: { make: () => new L.MaxPooling1D(2), shape: [6, 2] },
  MaxPooling2D: { make: () => new L.MaxPooling2D([2, 2]), shape: [4, 4, 2] },
  MaxPooling3D: { make: () => new L.MaxPooling3D(2), shape: [4, 4, 4, 1] },
  Maximum: { make: () => new L.Maximum(), shape: [4], inputs: 2 },
  Minimum: { make: () => new L.Minimum(), shape: [4], inputs: 2 },
  MultiHeadAttention: { make: () => new L.MultiHeadAttention(2, 3), shape: [3, 4], inputs: 2 },
  Multiply: { make: () => new L.Multiply(), shape: [4], inputs: 2 },
  Normalization: { make: adapted, shape: [4] },
  PReLU: { make: () => new L.PReLU(), shape: [4] },
  Permute: { make: () => new L.Permute([2, 1]), shape: [5, 4] },
  QuantizedConv2D: { make: () => new L.QuantizedConv2D(2, 3), shape: [5, 5, 2] },
  QuantizedDense: { make: () => new L.QuantizedDense(3), shape: [4] },
  QuantizedLSTM: { make: () => new L.QuantizedLSTM(3), shape: [5, 2] },
  RMSNormalization: { make: () => new L.RMSNormalization(), shape: [4] },
  RNN: {
    make: () => new L.RNN([new L.SimpleRNNCell(3), new L.LSTMCell(2)]),
    shape: [5, 2],
  },
  CategoryEncoding: {
    make: () => new L.CategoryEncoding({ numTokens: 5, outputMode: 'multi_hot' }),
    shape: [3],
    int: true,
    range: [0, 4],
  },
  CenterCrop: { make: () => new L.CenterCrop(4, 4), shape: [6, 6, 3] },
  Discretization: {
    make: () => new L.Discretization({ binBoundaries: [-0.5, 0, 0.5] }),
    shape: [4],
  },
  Hashing: { make: () => new L.Hashing({ numBins: 4 }), shape: [3], int: true, range: [0, 9] },
  IntegerLookup: {
    make: () => new L.IntegerLookup({ vocabulary: [3, 5, 7] }),
    shape: [3],
    int: true,
    range: [0, 9],
  },
  RandomBrightness: { make: () => new L.RandomBrightness(0.2), shape: [6, 6, 3] },
  Resizing: { make: () => new L.Resizing(4, 5), shape: [6, 6, 3] },
  ThresholdedReLU: { make: () => new L.ThresholdedReLU({ theta: 0.5 }), shape: [4] },
  RandomContrast: { make: () => new L.RandomContrast(0.1), shape: [6, 6, 3] },
  RandomCrop: { make: () => new L.RandomCrop(4, 4), shape: [6, 6, 3] },
  RandomFlip: { make: () => new L.RandomFlip(), shape: [6, 6, 3] },
  RandomRotation: { make: () => new L.RandomRotation(0.1), shape: [6, 6, 3] },
  RandomTranslation: { make: () => new L.RandomTranslation(0.1, 0.1), shape: [6, 6, 3] },
  RandomZoom: { make: () => new L.RandomZoom(0.1), shape: [6, 6, 3] },
  ReLU: { make: () => new L.ReLU({ maxValue: 6 }), shape: [4] },
  RepeatVector: { make: () => new L.RepeatVector(3), shape: [4] },
  Rescaling: { make: () => new L.Rescaling(0.5, { offset: -1 }), shape: [4] },
  Reshape: { make: () => new L.Reshape([3, 2]), shape: [6] },
  RotaryEmbedding: { make: () => new L.RotaryEmbedding(), shape: [5, 4] },
  SeparableConv1D: { make: () => new L.SeparableConv1D(2, 3), shape: [6, 2] },
  SeparableConv2D: { make: () => new L.SeparableConv2D(2, 3), shape: [5, 5, 2] },
  SimpleRNN: { make: () => new L.SimpleRNN(3), shape: [5, 2] },
  SimpleRNNCell: { make: () => new L.RNN(new L.SimpleRNNCell(3)), shape: [5, 2] },
  SinusoidalPositionEncoding: { make: () => new L.SinusoidalPositionEncoding(), shape: [5, 4] },
  Slice: { make: () => new L.Slice({ axis: 1, start: 1, end: 3 }), shape: [5, 4] },
  Softmax: { make: () => new L.Softmax({ axis: -1 }), shape: [4] },
  SpatialDropout1D: { make: () => new L.SpatialDropout1D(0.2), shape: [5, 2] },
  SpatialDropout2D: { make: () => new L.SpatialDropout2D(0.2), shape: [4, 4, 2] },
  Subtract: { make: () => new L.Subtract(), shape: [4], inputs: 2 },
  TimeDistributed: { make: () => new L.TimeDistributed(new L.Dense(3)), shape: [5, 2] },
  TokenAndPositionEmbedding: {
    make: () => new L.TokenAndPositionEmbedding(10, 5, 4),
    shape: [5],
    int: true,
    range: [0, 9],
  },
  TransformerDecoder: { make: () => new L.TransformerDecoder(16, 2), shape: [5, 8] },
  TransformerEncoder: { make: () => new L.TransformerEncoder(16, 2), shape: [5, 8] },
  UnitNormalization: { make: () => new L.UnitNormalization(), shape: [4] },
  UpSampling1D: { make: () => new L.UpSampling1D({ size: 2 }), shape: [3, 2] },
  UpSampling2D: { make: () => new L.UpSampling2D({ size: 2 }), shape: [3, 3, 2] },
  ZeroPadding1D: { make: () => new L.ZeroPadding1D({ padding: 1 }), shape: [4, 2] },
  ZeroPadding2D: { make: () => new L.ZeroPadding2D({ padding: 1 }), shape: [3, 3, 2] },
};

/** Registered classes the .keras writer refuses, with the reason. */
const REFUSED: Record<string, string> = {
  GPT: 'a subclassed model without a functional graph: .keras holds Sequential and functional models',
  WeightOnlyGPT:
    'a subclassed model without a functional graph: .keras holds Sequential and functional models',
  Lambda: 'its function is code, which a file does not hold (Keras refuses it in safe mode too)',
  StringLookup:
    'a string layer: Keel models take strings only through a Sequential, and the .keras writer does not yet write vocabularies as assets',
  TextVectorization:
    'a string layer: Keel models take strings only through a Sequential, and the .keras writer does not yet write vocabularies as assets',
};

const covered = new Set<string>(['InputLayer', 'Functional', 'Sequential']);

describe('Keras 3 .keras files: Keel → .keras → Keel', () => {
  for (const [name, c] of Object.entries(CASES)) {
    it(`round-trips ${name} bit for bit (weights and predictions)`, async () => {
      setSeed(11);
      const count = c.inputs ?? 1;
      const dtype = c.int ? 'int32' : 'float32';
      const ins = Array.from({ length: count }, () => Input({ shape: c.shape, dtype }));
      const layer = c.make();
      const out = (count === 1 ? layer.apply(ins[0]!) : layer.apply(ins)) as SymbolicTensor;
      const model = new Model({ inputs: count === 1 ? ins[0]! : ins, outputs: out });
      perturb(model);
      const [lo, hi] = c.range ?? [-1, 1];
      const xs = ins.map(() => {
        const u = randomUniform([2, ...c.shape], lo, hi);
        return c.int ? cast(floor(u), 'int32') : u;
      });
      await roundTrip(model, count === 1 ? xs[0]! : xs, `${name}.keras`);
      for (const cls of classesIn(model)) covered.add(cls);
    });
  }

  it('round-trips the seed CNN as a Sequential and a nested Sequential/Functional model', async () => {
    setSeed(12);
    const cnn = new Sequential([
      new L.Conv2D(4, [3, 3], { activation: 'relu', inputShape: [8, 8, 1] }),
      new L.MaxPooling2D([2, 2]),
      new L.Flatten(),
      new L.Dropout(0.5),
      new L.Dense(10, { activation: 'softmax' }),
    ]);
    perturb(cnn);
    const loaded = await roundTrip(cnn, randomUniform([3, 8, 8, 1]), 'cnn.keras');
    assert.deepEqual(
      loaded.layers.map((l) => l.name),
      cnn.layers.map((l) => l.name),
    );

    const x = Input({ shape: [6] });
    const innerIn = Input({ shape: [6] });
    const inner = new Model({
      inputs: innerIn,
      outputs: new L.Dense(3).apply(new L.Dense(4).apply(innerIn) as SymbolicTensor) as never,
      name: 'inner_functional',
    });
    const seq = new Sequential([new L.Dense(5, { inputShape: [6] }), new L.BatchNormalization()]);
    const merged = new L.Concatenate().apply([
      inner.apply(x) as SymbolicTensor,
      seq.apply(x) as SymbolicTensor,
      new L.Dense(2).apply(x) as SymbolicTensor,
    ]);
    const outer = new Model({ inputs: x, outputs: new L.Dense(2).apply(merged) as never });
    perturb(outer);
    await roundTrip(outer, randomUniform([3, 6]), 'nested.keras');
  });

  it('ModelCheckpoint with a .keras path writes Keras 3 files that load with the trained weights', async () => {
    setSeed(13);
    const model = new Sequential([
      new L.Dense(3, { inputShape: [4], activation: 'relu' }),
      new L.Dense(1),
    ]);
    model.compile({ optimizer: 'adam', loss: 'mse' });
    const x = randomUniform([8, 4]);
    const y = randomUniform([8, 1]);
    const pattern = join(dir, 'ckpt-{epoch}.keras');
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 4,
      verbose: 0,
      callbacks: [new ModelCheckpoint(pattern)],
    });
    const last = await loadKerasModel(join(dir, 'ckpt-2.keras'));
    sameBits(last.predict(x), model.predict(x));
    const first = await loadKerasModel(join(dir, 'ckpt-1.keras'));
    assert.ok(
      !bytes(first.weights[0]!).equals(bytes(model.weights[0]!)),
      'epoch 1 holds epoch 1 weights',
    );
  });

  it('refuses the registered classes it cannot write, naming the reason', async () => {
    const model = new GPT({
      vocabularySize: 11,
      sequenceLength: 4,
      hiddenDim: 8,
      numHeads: 2,
      numLayers: 1,
    });
    await assert.rejects(
      saveKerasModel(model, join(dir, 'gpt.keras')),
      /has no functional graph; the \.keras format holds Sequential and functional models/,
    );
  });

  it('covers every registered layer class or lists it as refused', () => {
    const missing = registeredLayerNames().filter((n) => !covered.has(n) && !(n in REFUSED));
    assert.deepEqual(
      missing,
      [],
      `layer classes without a .keras round trip: ${missing.join(', ')}`,
    );
  });

  it('writes atomically: no temp files are left behind', () => {
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.endsWith('.tmp')),
      [],
    );
  });
});
