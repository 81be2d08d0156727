/**
 * TensorFlow.js layers models that real projects ship (MobileNet-style blocks, decoders,
 * activation layers, noise and preprocessing layers), each built in TensorFlow.js, saved with
 * tfjs's own `model.save`, loaded in Keel and compared with TensorFlow.js's predictions on random
 * inputs. Layers tfjs does not have (Normalization, SpatialDropout2D, SeparableConv1D, pooling with
 * keepdims, Keras's ReLU threshold/negative_slope) are written as Keras configs by hand and checked
 * against the same computation in TensorFlow.js ops.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsModel, saveTfjsModel } from '../../src/io/tfjs/tfjs-format.js';
import { Model } from '../../src/models/model.js';
import type { SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { UpSampling2D } from '../../src/nn/layers/upsampling2d.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import { Tensor as KeelTensor, type Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';
import { fileLoader, fileSaver, maxError } from './fixtures/tfjs-io.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-tfjs-layers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, any>;

/** Random weights everywhere (variances positive), so no layer hides behind its initializer. */
function randomizeWeights(m: tf.LayersModel, seed: number): void {
  let s = seed;
  for (const layer of m.layers) {
    const ws = layer.weights;
    if (ws.length === 0) continue;
    layer.setWeights(
      ws.map((w) =>
        /variance/.test(w.name)
          ? tf.randomUniform(w.shape as number[], 0.5, 1.5, 'float32', s++)
          : tf.randomUniform(w.shape as number[], -0.6, 0.6, 'float32', s++),
      ),
    );
  }
}

/** Saves with tfjs, loads in Keel, and compares both models' predictions on `x`. */
async function roundTrip(m: tf.LayersModel, name: string, shape: number[], tol = 1e-4) {
  randomizeWeights(m, 11);
  const path = join(dir, name, 'model.json');
  await m.save(fileSaver(path));
  const model = loadTfjsModel(path);
  setSeed(21);
  const x = randomUniform(shape, -1.5, 1.5);
  const want = (m.predict(tf.tensor(Array.from(x.data), shape)) as tf.Tensor).dataSync();
  const got = model.predict(x) as Tensor;
  const err = maxError(got.data, want);
  assert.ok(err <= tol, `${name}: max error ${err}`);
  return { path, model, err };
}

describe('TensorFlow.js layers models with the layers real projects use', async () => {
  await tf.setBackend('cpu');

  it('loads a MobileNet-style block: ZeroPadding2D, DepthwiseConv2D (depthMultiplier 2), ReLU6, BatchNormalization', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.conv2d({
        filters: 6,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        useBias: false,
        inputShape: [12, 12, 3],
      }),
    );
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.reLU({ maxValue: 6 }));
    m.add(
      tf.layers.zeroPadding2d({
        padding: [
          [0, 1],
          [0, 1],
        ],
      }),
    );
    m.add(
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides: 2, depthMultiplier: 2, useBias: false }),
    );
    m.add(tf.layers.batchNormalization());
    m.add(tf.layers.reLU({ maxValue: 6 }));
    m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }));
    m.add(tf.layers.conv2d({ filters: 8, kernelSize: 1 }));
    m.add(tf.layers.globalAveragePooling2d({}));
    m.add(tf.layers.dropout({ rate: 0.3 }));
    m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
    await roundTrip(m, 'mobilenet', [3, 12, 12, 3]);
  });

  it("loads a functional MobileNet block in the converter's layout: model_config wrapper, Keras names, weights grouped alphabetically over two shards", async () => {
    const a = tf.input({ shape: [10, 10, 3], name: 'input_1' });
    const chain = (x: tf.SymbolicTensor, layers: tf.layers.Layer[]) =>
      layers.reduce((t, l) => l.apply(t) as tf.SymbolicTensor, x);
    const y = chain(a, [
      tf.layers.conv2d({
        name: 'conv1',
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        useBias: false,
      }),
      tf.layers.batchNormalization({ name: 'conv1_bn' }),
      tf.layers.reLU({ name: 'conv1_relu', maxValue: 6 }),
      tf.layers.depthwiseConv2d({
        name: 'conv_dw_1',
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      tf.layers.batchNormalization({ name: 'conv_dw_1_bn' }),
      tf.layers.reLU({ name: 'conv_dw_1_relu', maxValue: 6 }),
      tf.layers.conv2d({ name: 'conv_pw_1', filters: 6, kernelSize: 1, useBias: false }),
      tf.layers.batchNormalization({ name: 'conv_pw_1_bn' }),
      tf.layers.reLU({ name: 'conv_pw_1_relu', maxValue: 6 }),
      tf.layers.zeroPadding2d({
        name: 'conv_pad_2',
        padding: [
          [0, 1],
          [0, 1],
        ],
      }),
      tf.layers.depthwiseConv2d({ name: 'conv_dw_2', kernelSize: 3, strides: 2, useBias: false }),
      tf.layers.batchNormalization({ name: 'conv_dw_2_bn' }),
      tf.layers.reLU({ name: 'conv_dw_2_relu', maxValue: 6 }),
      tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d' }),
      tf.layers.dropout({ name: 'dropout', rate: 0.001 }),
      tf.layers.dense({ name: 'dense_10', units: 3, activation: 'softmax' }),
    ]);
    const m = tf.model({ inputs: a, outputs: y, name: 'model' });
    const { path } = await roundTrip(m, 'mobilenet-tfjs', [2, 10, 10, 3]);
    const saved = JSON.parse(readFileSync(path, 'utf8'));
    const data = readFileSync(join(dir, 'mobilenet-tfjs', 'weights.bin'));
    let at = 0;
    const weights = (saved.weightsManifest[0].weights as Json[]).map((spec) => {
      const n = (spec.shape as number[]).reduce((p, q) => p * q, 1) * 4;
      at += n;
      return { spec, bytes: data.subarray(at - n, at) };
    });
    // The converter walks the HDF5 file, whose groups are sorted by name ('conv1' < 'conv_dw_1').
    const group = (w: { spec: Json }) => String(w.spec.name).split('/')[0]!;
    weights.sort((p, q) => (group(p) < group(q) ? -1 : group(p) > group(q) ? 1 : 0));
    assert.notDeepEqual(
      weights.map((w) => w.spec.name),
      saved.weightsManifest[0].weights.map((w: Json) => w.name),
    );
    const shards = [weights.slice(0, 9), weights.slice(9)];
    const d = join(dir, 'mobilenet-converter');
    mkdirSync(d, { recursive: true });
    const manifest = shards.map((g, i) => {
      const file = `group${i + 1}-shard1of1.bin`;
      writeFileSync(join(d, file), Buffer.concat(g.map((w) => w.bytes)));
      return { paths: [file], weights: g.map((w) => w.spec) };
    });
    const { class_name, config } = saved.modelTopology;
    writeFileSync(
      join(d, 'model.json'),
      JSON.stringify({
        format: 'layers-model',
        generatedBy: 'keras v2.15.0',
        convertedBy: 'TensorFlow.js Converter v4.22.0',
        modelTopology: {
          keras_version: '2.15.0',
          backend: 'tensorflow',
          model_config: { class_name, config },
          training_config: { loss: 'categorical_crossentropy' },
        },
        weightsManifest: manifest,
      }),
    );
    const model = loadTfjsModel(join(d, 'model.json'));
    setSeed(23);
    const x = randomUniform([2, 10, 10, 3], -1, 1);
    const want = (m.predict(tf.tensor(Array.from(x.data), [2, 10, 10, 3])) as tf.Tensor).dataSync();
    const err = maxError((model.predict(x) as Tensor).data, want);
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  it('loads a Teachable Machine-style export: a functional MobileNet trunk and a Sequential head inside a Sequential, trainable weights listed before moving statistics', async () => {
    const a = tf.input({ shape: [8, 8, 3], name: 'input_1' });
    const trunkOut = [
      tf.layers.conv2d({
        name: 'Conv1',
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        useBias: false,
      }),
      tf.layers.batchNormalization({ name: 'bn_Conv1' }),
      tf.layers.reLU({ name: 'Conv1_relu', maxValue: 6 }),
      tf.layers.depthwiseConv2d({
        name: 'expanded_conv_depthwise',
        kernelSize: 3,
        padding: 'same',
        useBias: false,
      }),
      tf.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_1' }),
    ].reduce((t, l) => l.apply(t) as tf.SymbolicTensor, a);
    const trunk = tf.model({ inputs: a, outputs: trunkOut, name: 'model1' });
    const head = tf.sequential({
      name: 'sequential_3',
      layers: [
        tf.layers.dense({ name: 'dense_Dense1', units: 5, activation: 'relu', inputShape: [4] }),
        tf.layers.dense({ name: 'dense_Dense2', units: 2, activation: 'softmax', useBias: false }),
      ],
    });
    const m = tf.sequential({ name: 'sequential_4' });
    m.add(trunk);
    m.add(head);
    for (const part of [trunk, head]) randomizeWeights(part, 31);
    const path = join(dir, 'teachable', 'model.json');
    await m.save(fileSaver(path));
    const names = JSON.parse(readFileSync(path, 'utf8')).weightsManifest[0].weights.map(
      (w: Json) => w.name,
    );
    // tfjs lists a model's trainable weights first: BatchNormalization's moving statistics last.
    assert.equal(names.at(-1), 'bn_Conv1/moving_variance');
    const model = loadTfjsModel(path);
    setSeed(24);
    const x = randomUniform([2, 8, 8, 3], -1, 1);
    const want = (m.predict(tf.tensor(Array.from(x.data), [2, 8, 8, 3])) as tf.Tensor).dataSync();
    const err = maxError((model.predict(x) as Tensor).data, want);
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  it('loads SeparableConv2D (depthwise_kernel, pointwise_kernel) with depthMultiplier, strides and dilation', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.separableConv2d({
        filters: 5,
        kernelSize: 3,
        depthMultiplier: 2,
        padding: 'same',
        activation: 'relu',
        inputShape: [9, 9, 3],
      }),
    );
    m.add(tf.layers.separableConv2d({ filters: 4, kernelSize: [2, 3], strides: 2 }));
    m.add(
      tf.layers.separableConv2d({ filters: 3, kernelSize: 2, dilationRate: 2, useBias: false }),
    );
    await roundTrip(m, 'separable', [2, 9, 9, 3]);
  });

  it('loads a decoder: Conv2DTranspose (same/valid, strides 2), UpSampling2D nearest and bilinear, Cropping2D', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.conv2dTranspose({
        filters: 4,
        kernelSize: 3,
        strides: 2,
        padding: 'same',
        activation: 'relu',
        inputShape: [4, 5, 3],
      }),
    );
    m.add(tf.layers.conv2dTranspose({ filters: 3, kernelSize: [3, 2], strides: [2, 1] }));
    m.add(tf.layers.upSampling2d({ size: [2, 3] }));
    m.add(
      tf.layers.cropping2D({
        cropping: [
          [1, 2],
          [0, 3],
        ],
      }),
    );
    m.add(tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }));
    m.add(tf.layers.conv2d({ filters: 2, kernelSize: 1 }));
    await roundTrip(m, 'decoder', [2, 4, 5, 3]);
  });

  it('loads the activation layers: ReLU(maxValue), PReLU(sharedAxes), LeakyReLU, ELU, ThresholdedReLU, Softmax', async () => {
    const a = tf.input({ shape: [6, 6, 2] });
    const c = tf.layers.conv2d({ filters: 4, kernelSize: 3 }).apply(a) as tf.SymbolicTensor;
    const p = tf.layers.prelu({ sharedAxes: [1, 2] }).apply(c) as tf.SymbolicTensor;
    const f = tf.layers.flatten().apply(p) as tf.SymbolicTensor;
    const d = tf.layers.dense({ units: 12 }).apply(f) as tf.SymbolicTensor;
    const branches = [
      tf.layers.reLU({ maxValue: 0.8 }),
      tf.layers.prelu({}),
      tf.layers.leakyReLU({ alpha: 0.13 }),
      tf.layers.elu({}) /* tfjs supports alpha 1 only */,
      tf.layers.thresholdedReLU({ theta: 0.25 }),
      tf.layers.softmax({ axis: -1 }),
    ].map((l) => l.apply(d) as tf.SymbolicTensor);
    const out = tf.layers.concatenate().apply(branches) as tf.SymbolicTensor;
    await roundTrip(tf.model({ inputs: a, outputs: out }), 'activations', [3, 6, 6, 2]);
  });

  it('loads noise, dropout and preprocessing layers as identities at inference: SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout, Rescaling', async () => {
    const m = tf.sequential();
    m.add(tf.layers.rescaling({ scale: 1 / 127.5, offset: -1, inputShape: [10, 3] }));
    m.add(tf.layers.conv1d({ filters: 4, kernelSize: 3, dilationRate: 2, padding: 'same' }));
    m.add(tf.layers.spatialDropout1d({ rate: 0.4 }));
    m.add(tf.layers.gaussianNoise({ stddev: 0.5 }));
    m.add(tf.layers.conv1d({ filters: 3, kernelSize: 2, strides: 2, activation: 'elu' }));
    m.add(tf.layers.gaussianDropout({ rate: 0.3 }));
    m.add(tf.layers.alphaDropout({ rate: 0.2 }));
    m.add(tf.layers.globalAveragePooling1d({}));
    const { model } = await roundTrip(m, 'noise', [2, 10, 3]);
    assert.deepEqual(
      model.layers
        .map((l) => (l.constructor as unknown as { className: string }).className)
        .slice(0, 4),
      ['Rescaling', 'Conv1D', 'SpatialDropout1D', 'GaussianNoise'],
    );
  });

  it('loads text classifiers: Embedding(maskZero) then LSTM, GRU or Bidirectional(LSTM), on zero-padded ids', async () => {
    const ids = [3, 5, 7, 0, 0, 0, 0, 1, 19, 4, 4, 2, 8, 0, 12, 0, 0, 3, 3, 3, 3];
    for (const kind of ['lstm', 'gru', 'bidirectional']) {
      const m = tf.sequential();
      m.add(tf.layers.embedding({ inputDim: 20, outputDim: 6, maskZero: true, inputLength: 7 }));
      if (kind === 'lstm') m.add(tf.layers.lstm({ units: 5 }));
      else if (kind === 'gru') m.add(tf.layers.gru({ units: 5 }));
      else
        m.add(
          tf.layers.bidirectional({
            layer: tf.layers.lstm({ units: 4 }) as unknown as tf.layers.RNN,
            mergeMode: 'concat',
          }),
        );
      m.add(tf.layers.dense({ units: 3, activation: 'softmax' }));
      randomizeWeights(m, 41);
      const path = join(dir, `text-${kind}`, 'model.json');
      await m.save(fileSaver(path));
      const model = loadTfjsModel(path);
      const got = model.predict(new KeelTensor(Int32Array.from(ids), [3, 7], 'int32')) as Tensor;
      const want = (m.predict(tf.tensor(ids, [3, 7], 'int32')) as tf.Tensor).dataSync();
      const err = maxError(got.data, want);
      assert.ok(err <= 1e-5, `${kind}: max error ${err}`);
    }
  });

  it('loads Keras layers tfjs lacks, written as Keras 2 configs: Normalization, causal Conv1D, SeparableConv1D, ReLU(threshold, negative_slope), ELU(alpha), SpatialDropout2D, global pooling with keepdims', async () => {
    const rnd = (shape: number[], lo = -0.6, hi = 0.6, seed = 0) =>
      tf.randomUniform(shape, lo, hi, 'float32', seed);
    const w = {
      mean: rnd([3], -1, 1, 1),
      variance: rnd([3], 0.5, 2, 2),
      convK: rnd([3, 3, 4], -0.6, 0.6, 3),
      convB: rnd([4], -0.6, 0.6, 4),
      dw: rnd([3, 4, 2], -0.6, 0.6, 5),
      pw: rnd([1, 8, 5], -0.6, 0.6, 6),
      sepB: rnd([5], -0.6, 0.6, 7),
    };
    const layer = (class_name: string, config: Json) => ({
      class_name,
      config: { trainable: true, dtype: 'float32', ...config },
    });
    const layers = [
      layer('Normalization', {
        name: 'normalization',
        axis: [-1],
        mean: null,
        variance: null,
        invert: false,
        batch_input_shape: [null, 8, 3],
      }),
      layer('Conv1D', {
        name: 'conv1d',
        filters: 4,
        kernel_size: [3],
        strides: [1],
        padding: 'causal',
        dilation_rate: [2],
        groups: 1,
        activation: 'linear',
        use_bias: true,
      }),
      layer('SeparableConv1D', {
        name: 'separable_conv1d',
        filters: 5,
        kernel_size: [3],
        strides: [1],
        padding: 'same',
        depth_multiplier: 2,
        dilation_rate: [1],
        activation: 'linear',
        use_bias: true,
      }),
      layer('ReLU', { name: 're_lu', max_value: 2, negative_slope: 0.1, threshold: 0.2 }),
      layer('ELU', { name: 'elu', alpha: 0.7 }),
      layer('Reshape', { name: 'reshape', target_shape: [8, 1, 5] }),
      layer('SpatialDropout2D', { name: 'spatial_dropout2d', rate: 0.5 }),
      layer('GlobalAveragePooling2D', {
        name: 'global_average_pooling2d',
        data_format: 'channels_last',
        keepdims: true,
      }),
      layer('Reshape', { name: 'reshape_1', target_shape: [1, 5] }),
      layer('GlobalAveragePooling1D', {
        name: 'global_average_pooling1d',
        data_format: 'channels_last',
        keepdims: true,
      }),
    ];
    const specs: [string, tf.Tensor][] = [
      ['normalization/mean', w.mean],
      ['normalization/variance', w.variance],
      ['normalization/count', tf.scalar(1000, 'int32')],
      ['conv1d/kernel', w.convK],
      ['conv1d/bias', w.convB],
      ['separable_conv1d/depthwise_kernel', w.dw],
      ['separable_conv1d/pointwise_kernel', w.pw],
      ['separable_conv1d/bias', w.sepB],
    ];
    const d = join(dir, 'keras-only');
    mkdirSync(d, { recursive: true });
    const bin = Buffer.concat(specs.map(([, t]) => Buffer.from(t.dataSync().buffer)));
    writeFileSync(join(d, 'group1-shard1of1.bin'), bin);
    const modelJson = {
      format: 'layers-model',
      generatedBy: 'keras v2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: {
        keras_version: '2.15.0',
        backend: 'tensorflow',
        model_config: { class_name: 'Sequential', config: { name: 'sequential', layers } },
      },
      weightsManifest: [
        {
          paths: ['group1-shard1of1.bin'],
          weights: specs.map(([name, t]) => ({ name, shape: t.shape, dtype: t.dtype })),
        },
      ],
    };
    writeFileSync(join(d, 'model.json'), JSON.stringify(modelJson));
    const model = loadTfjsModel(join(d, 'model.json'));
    setSeed(22);
    const x = randomUniform([3, 8, 3], -2, 2);
    // The same computation in TensorFlow.js ops, as Keras defines each layer.
    const want = tf.tidy(() => {
      let y = tf.tensor(Array.from(x.data), [3, 8, 3]);
      y = tf.div(tf.sub(y, w.mean), tf.sqrt(w.variance));
      y = tf.pad(y, [
        [0, 0],
        [4, 0],
        [0, 0],
      ]); // causal: (kernel - 1) · dilation on the left
      y = tf.add(
        tf.conv1d(y as tf.Tensor3D, w.convK as tf.Tensor3D, 1, 'valid', 'NWC', 2),
        w.convB,
      );
      const dw4 = tf.expandDims(w.dw, 0) as tf.Tensor4D;
      const pw4 = tf.expandDims(w.pw, 0) as tf.Tensor4D;
      y = tf.separableConv2d(tf.expandDims(y, 1) as tf.Tensor4D, dw4, pw4, 1, 'same');
      y = tf.add(tf.squeeze(y, [1]), w.sepB);
      // ReLU: max_value for x >= 2, x above the threshold 0.2, 0.1 · (x - 0.2) below it.
      y = tf.where(
        tf.greaterEqual(y, 2),
        tf.fill(y.shape, 2),
        tf.where(tf.greater(y, 0.2), y, tf.mul(tf.sub(y, 0.2), 0.1)),
      );
      y = tf.where(tf.greater(y, 0), y, tf.mul(tf.expm1(y), 0.7));
      return tf.mean(y, 1, true).dataSync();
    });
    const got = model.predict(x) as Tensor;
    assert.deepEqual(got.shape, [3, 1, 5]);
    const err = maxError(got.data, want);
    assert.ok(err <= 1e-4, `max error ${err}`);
  });

  it("reports every argument value Keel's layers refuse in the one combined error, with the file, layer path and argument", () => {
    const layer = (class_name: string, config: Json) => ({
      class_name,
      config: { trainable: true, ...config },
    });
    const layers = [
      layer('UpSampling2D', {
        name: 'up',
        size: [2, 2],
        interpolation: 'bicubic', // Keras 3's other resize methods
        batch_input_shape: [null, 4, 4, 3],
      }),
      layer('Conv2DTranspose', {
        name: 'deconv',
        filters: 2,
        kernel_size: [3, 3],
        strides: [2, 2],
        dilation_rate: [2, 2],
        padding: 'same',
      }),
      layer('Dense', { name: 'dense', units: 2, activation: 'swishy' }),
      layer('ReLU', { name: 're_lu', max_value: -1 }),
      layer('ThresholdedReLU', { name: 'thresholded', theta: -0.5 }),
      layer('DepthwiseConv2D', {
        name: 'dw',
        kernel_size: [3, 3],
        data_format: 'channels_first',
      }),
      layer('Bidirectional', {
        name: 'bidi',
        layer: layer('LSTM', { name: 'lstm', units: 2, recurrent_activation: 'nope' }),
      }),
    ];
    const d = join(dir, 'refused');
    mkdirSync(d, { recursive: true });
    const file = join(d, 'model.json');
    writeFileSync(
      file,
      JSON.stringify({
        modelTopology: { class_name: 'Sequential', config: { name: 's', layers } },
        weightsManifest: [],
      }),
    );
    assert.throws(
      () => loadTfjsModel(file),
      (e: Error) => {
        assert.ok(e.message.startsWith(`${file}: cannot load this model; 7 unsupported item(s)`));
        assert.match(
          e.message,
          /layer 's\/up' \(UpSampling2D\): interpolation must be 'nearest' or 'bilinear', got "bicubic"/,
        );
        assert.match(
          e.message,
          /layer 's\/deconv' \(Conv2DTranspose\): strides > 1 cannot be combined with dilationRate > 1/,
        );
        assert.match(
          e.message,
          /layer 's\/dense' \(Dense\): activation: Unknown activation 'swishy'/,
        );
        assert.match(
          e.message,
          /layer 's\/re_lu' \(ReLU\): maxValue must be a finite number >= 0, got -1/,
        );
        assert.match(e.message, /layer 's\/thresholded' \(ThresholdedReLU\): theta must be/);
        assert.match(
          e.message,
          /layer 's\/dw' \(DepthwiseConv2D\) has data_format 'channels_first'/,
        );
        assert.match(e.message, /layer 's\/bidi\/lstm' \(LSTM\): .*'nope'/);
        assert.doesNotMatch(e.message, /'s\/bidi' \(Bidirectional\)/);
        return true;
      },
    );
  });

  it("writes tfjs's bilinear UpSampling2D back so TensorFlow.js computes the same, and refuses Keras's half-pixel one", async () => {
    setSeed(25);
    const x = Input({ shape: [3, 4, 2] });
    const tfjsStyle = new UpSampling2D({
      size: [2, 3],
      interpolation: 'bilinear',
      halfPixelCenters: false,
    });
    const model = new Model({ inputs: x, outputs: tfjsStyle.apply(x) as SymbolicTensor });
    const path = saveTfjsModel(model, join(dir, 'bilinear-out'));
    const viaTf = await tf.loadLayersModel(fileLoader(path));
    const xs = randomUniform([2, 3, 4, 2], -1, 1);
    const want = (
      viaTf.predict(tf.tensor(Array.from(xs.data), [2, 3, 4, 2])) as tf.Tensor
    ).dataSync();
    assert.ok(maxError((model.predict(xs) as Tensor).data, want) <= 1e-5);
    const keras = new Model({
      inputs: x,
      outputs: new UpSampling2D({ interpolation: 'bilinear', name: 'up' }).apply(
        x,
      ) as SymbolicTensor,
    });
    assert.throws(
      () => saveTfjsModel(keras, join(dir, 'bilinear-keras')),
      /UpSampling2D 'up' interpolates with half-pixel centers .* use halfPixelCenters: false or 'nearest'/,
    );
  });
});
