/**
 * TensorFlow.js files as other tools write them, not as Keel does: the Python converter's layout
 * (`model_config` wrapper, HDF5 weight names and order, weight quantization), Keras 2 and 3 config
 * variants, nested models, stateful RNNs and tfjs's hard_sigmoid. Each fixture starts from a model
 * built and saved by TensorFlow.js itself and is rewritten the way the converter's public source
 * (tfjs-converter/python/tensorflowjs/converters/keras_h5_conversion.py, write_weights.py) and
 * Keras 3's serialization format describe; predictions are checked against TensorFlow.js.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { loadTfjsModel, saveTfjsModel } from '../../src/io/tfjs/tfjs-format.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense, LSTM } from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';
import { fileLoader, fileSaver, maxError } from './fixtures/tfjs-io.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-tfjs-real-'));
after(() => rmSync(dir, { recursive: true, force: true }));

type Json = Record<string, any>;
interface Saved {
  topology: Json;
  specs: { name: string; shape: number[]; dtype: string }[];
  data: Uint8Array;
}

/** What tfjs's own `model.save` writes: topology, weight specs, the concatenated weight data. */
async function saveWithTfjs(m: tf.LayersModel, name: string): Promise<Saved> {
  const path = join(dir, `${name}-tfjs`, 'model.json');
  await m.save(fileSaver(path));
  const json = JSON.parse(readFileSync(path, 'utf8'));
  const data = new Uint8Array(readFileSync(join(dir, `${name}-tfjs`, 'weights.bin')));
  return { topology: json.modelTopology, specs: json.weightsManifest[0].weights, data };
}

interface OutWeight {
  name: string;
  shape: number[];
  dtype: string;
  bytes: Uint8Array;
  quantization?: Json;
}

/** The weights of a save, each with its own bytes, renamed by `rename`. */
function weightsOf(s: Saved, rename: (name: string) => string = (n) => n): OutWeight[] {
  let at = 0;
  return s.specs.map((spec) => {
    const n = spec.shape.reduce((a, b) => a * b, 1) * 4;
    const bytes = s.data.slice(at, at + n);
    at += n;
    return { name: rename(spec.name), shape: spec.shape, dtype: spec.dtype, bytes };
  });
}

/** Writes model.json and one shard per group (as the converter's write_weights does). */
function writeModel(name: string, topology: Json, groups: OutWeight[][]): string {
  const d = join(dir, name);
  mkdirSync(d, { recursive: true });
  const manifest = groups.map((g, gi) => {
    const total = g.reduce((n, w) => n + w.bytes.byteLength, 0);
    const buf = new Uint8Array(total);
    let at = 0;
    for (const w of g) {
      buf.set(w.bytes, at);
      at += w.bytes.byteLength;
    }
    const path = `group${gi + 1}-shard1of1.bin`;
    writeFileSync(join(d, path), buf);
    return {
      paths: [path],
      weights: g.map(({ bytes: _b, ...spec }) => spec),
    };
  });
  const file = join(d, 'model.json');
  writeFileSync(
    file,
    JSON.stringify({
      format: 'layers-model',
      generatedBy: 'keras v2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: topology,
      weightsManifest: manifest,
    }),
  );
  return file;
}

/** The converter's layout: the Keras config under model_config, beside keras_version and backend. */
function converterTopology(t: Json): Json {
  const { class_name, config } = t;
  return {
    keras_version: '2.15.0',
    backend: 'tensorflow',
    model_config: { class_name, config },
    training_config: { loss: 'categorical_crossentropy', metrics: ['accuracy'] },
  };
}

function predictTf(m: tf.LayersModel, x: Tensor, dtype: 'float32' | 'int32' = 'float32') {
  return (m.predict(tf.tensor(Array.from(x.data), [...x.shape], dtype)) as tf.Tensor).dataSync();
}

describe('TensorFlow.js files written by other tools', async () => {
  await tf.setBackend('cpu');

  it("reads the converter's model_config layout, HDF5 weight names and their alphabetical order", async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.conv2d({
        name: 'conv2d',
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        inputShape: [8, 8, 1],
      }),
    );
    m.add(tf.layers.flatten({ name: 'flatten' }));
    m.add(tf.layers.dense({ name: 'dense_2', units: 6, activation: 'relu' }));
    m.add(tf.layers.dense({ name: 'dense_10', units: 3, activation: 'softmax' }));
    const saved = await saveWithTfjs(m, 'converter');
    // HDF5 lists the layer groups alphabetically ('dense_10' before 'dense_2') and the converter
    // keeps TensorFlow's variable names ('dense_2/kernel:0' written without ':0').
    const group = (w: OutWeight) => w.name.split('/')[0]!;
    const weights = weightsOf(saved).sort((a, b) =>
      group(a) < group(b) ? -1 : group(a) > group(b) ? 1 : 0,
    );
    assert.equal(weights[0]!.name, 'conv2d/kernel');
    assert.equal(weights[2]!.name, 'dense_10/kernel');
    const file = writeModel('converter', converterTopology(saved.topology), [
      weights.slice(0, 3),
      weights.slice(3),
    ]);
    const model = loadTfjsModel(file);
    setSeed(1);
    const x = randomUniform([3, 8, 8, 1]);
    const err = maxError((model.predict(x) as Tensor).data, predictTf(m, x));
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  it("reads recurrent weights under TF 2.2+'s cell scope, and tfjs's hard_sigmoid LSTM default", async () => {
    const m = tf.sequential();
    // recurrentActivation left at tfjs's default, hard_sigmoid (clip(0.2x + 0.5, 0, 1)).
    m.add(tf.layers.lstm({ name: 'lstm_6', units: 5, returnSequences: true, inputShape: [7, 3] }));
    m.add(tf.layers.gru({ name: 'gru', units: 4 }));
    m.add(tf.layers.dense({ name: 'dense', units: 2 }));
    const saved = await saveWithTfjs(m, 'cell-scope');
    const cellScoped = (n: string) => {
      const [layer, w] = n.split('/');
      return layer === 'lstm_6'
        ? `lstm_6/lstm_cell_6/${w}`
        : layer === 'gru'
          ? `gru/gru_cell/${w}`
          : n;
    };
    const weights = weightsOf(saved, cellScoped).reverse();
    const file = writeModel('cell-scope', converterTopology(saved.topology), [weights]);
    const model = loadTfjsModel(file);
    setSeed(2);
    const x = randomUniform([2, 7, 3], -2, 2);
    const err = maxError((model.predict(x) as Tensor).data, predictTf(m, x));
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  for (const q of ['uint8', 'uint16', 'float16'] as const) {
    it(`decodes the converter's ${q} weight quantization as TensorFlow.js does`, async () => {
      const m = tf.sequential();
      m.add(tf.layers.dense({ name: 'dense', units: 5, activation: 'tanh', inputShape: [4] }));
      m.add(tf.layers.dense({ name: 'dense_1', units: 2 }));
      const saved = await saveWithTfjs(m, `quant-${q}`);
      const weights = weightsOf(saved).map((w) => quantize(w, q));
      const file = writeModel(`quant-${q}`, converterTopology(saved.topology), [weights]);
      // TensorFlow.js reads the same quantized file: the reference is its own decoding.
      const viaTf = await tf.loadLayersModel(fileLoader(file));
      const model = loadTfjsModel(file);
      setSeed(3);
      const x = randomUniform([4, 4], -1, 1);
      const err = maxError((model.predict(x) as Tensor).data, predictTf(viaTf, x));
      assert.ok(err <= 1e-6, `max error ${err}`);
      // And the quantization was real: the file differs from the float model.
      assert.ok(maxError(predictTf(viaTf, x), predictTf(m, x)) > 0);
    });
  }

  it('reads a Keras 3 functional config (module keys, DTypePolicy, batch_shape, __keras_tensor__ nodes, BatchNormalization axis list)', async () => {
    const a = tf.input({ shape: [6], name: 'input_layer' });
    const d = tf.layers
      .dense({ name: 'dense', units: 5, activation: 'relu' })
      .apply(a) as tf.SymbolicTensor;
    const bn = tf.layers
      .batchNormalization({ name: 'batch_normalization' })
      .apply(d) as tf.SymbolicTensor;
    const cat = tf.layers.concatenate({ name: 'concatenate' }).apply([bn, a]) as tf.SymbolicTensor;
    const out = tf.layers
      .dense({ name: 'dense_1', units: 3, activation: 'softmax' })
      .apply(cat) as tf.SymbolicTensor;
    const m = tf.model({ inputs: a, outputs: out, name: 'functional' });
    m.layers[2]!.setWeights(
      m.layers[2]!.getWeights().map((w) => tf.randomUniform(w.shape, 0.5, 1.5)),
    );
    const saved = await saveWithTfjs(m, 'keras3');
    const policy = {
      module: 'keras',
      class_name: 'DTypePolicy',
      config: { name: 'float32' },
      registered_name: null,
    };
    const kt = (layer: string, shape: (number | null)[]) => ({
      class_name: '__keras_tensor__',
      config: { shape, dtype: 'float32', keras_history: [layer, 0, 0] },
    });
    const layer = (class_name: string, name: string, config: Json, args: unknown[]) => ({
      module: 'keras.layers',
      class_name,
      config: { name, trainable: true, dtype: policy, ...config },
      registered_name: null,
      build_config: { input_shape: [null, 6] },
      name,
      inbound_nodes: [{ args, kwargs: {} }],
    });
    const topology = {
      module: 'keras',
      class_name: 'Functional',
      config: {
        name: 'functional',
        trainable: true,
        layers: [
          {
            module: 'keras.layers',
            class_name: 'InputLayer',
            config: {
              batch_shape: [null, 6],
              dtype: 'float32',
              sparse: false,
              name: 'input_layer',
            },
            registered_name: null,
            name: 'input_layer',
            inbound_nodes: [],
          },
          layer(
            'Dense',
            'dense',
            { units: 5, activation: 'relu', use_bias: true, lora_rank: null },
            [kt('input_layer', [null, 6])],
          ),
          layer(
            'BatchNormalization',
            'batch_normalization',
            { axis: [1], momentum: 0.99, epsilon: 0.001, center: true, scale: true },
            [kt('dense', [null, 5])],
          ),
          layer('Concatenate', 'concatenate', { axis: -1 }, [
            [kt('batch_normalization', [null, 5]), kt('input_layer', [null, 6])],
          ]),
          layer('Dense', 'dense_1', { units: 3, activation: 'softmax', use_bias: true }, [
            kt('concatenate', [null, 11]),
          ]),
        ],
        input_layers: ['input_layer', 0, 0],
        output_layers: ['dense_1', 0, 0],
      },
      registered_name: null,
      build_config: { input_shape: null },
    };
    // Keras 3 names weights by layer and index (`layers/dense/vars/0`).
    const perLayer = new Map<string, number>();
    const weights = weightsOf(saved, (n) => {
      const layerName = n.split('/')[0]!;
      const i = perLayer.get(layerName) ?? 0;
      perLayer.set(layerName, i + 1);
      return `layers/${layerName}/vars/${i}`;
    });
    const file = writeModel(
      'keras3',
      { keras_version: '3.6.0', backend: 'tensorflow', model_config: topology },
      [weights],
    );
    const model = loadTfjsModel(file);
    setSeed(4);
    const x = randomUniform([5, 6]);
    const err = maxError((model.predict(x) as Tensor).data, predictTf(m, x));
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  it('reads a Sequential nested in a functional model (its calls numbered from 1)', async () => {
    const inner = tf.sequential({ name: 'sequential' });
    inner.add(
      tf.layers.dense({ name: 'inner_dense', units: 4, activation: 'relu', inputShape: [5] }),
    );
    inner.add(tf.layers.dense({ name: 'inner_out', units: 3 }));
    const a = tf.input({ shape: [5], name: 'input_1' });
    const y = inner.apply(a) as tf.SymbolicTensor;
    const out = tf.layers.dense({ name: 'head', units: 2 }).apply(y) as tf.SymbolicTensor;
    const m = tf.model({ inputs: a, outputs: [out, y] });
    const path = join(dir, 'nested', 'model.json');
    await m.save(fileSaver(path));
    const config = JSON.parse(readFileSync(path, 'utf8')).modelTopology.config;
    assert.deepEqual(config.output_layers[1], ['sequential', 1, 0]);
    const model = loadTfjsModel(path);
    setSeed(5);
    const x = randomUniform([3, 5]);
    const got = model.predict(x) as Tensor[];
    const want = m.predict(tf.tensor(Array.from(x.data), [3, 5])) as tf.Tensor[];
    for (let i = 0; i < 2; i++) {
      const err = maxError(got[i]!.data, want[i]!.dataSync());
      assert.ok(err <= 1e-5, `output ${i}: max error ${err}`);
    }
  });

  it('writes nested models as tfjs numbers their calls, so TensorFlow.js and Keel both read them back', async () => {
    setSeed(8);
    const inner = new Sequential([new Dense(3, { inputShape: [4], name: 'd_in' })], {
      name: 'inner',
    });
    const x = Input({ shape: [4] });
    const model = new Model({ inputs: x, outputs: new Dense(2).apply(inner.apply(x)) });
    const path = saveTfjsModel(model, join(dir, 'nested-out'));
    const xs = randomUniform([2, 4]);
    const want = (model.predict(xs) as Tensor).data;
    const viaTf = await tf.loadLayersModel(fileLoader(path));
    assert.ok(maxError(predictTf(viaTf, xs), want) <= 1e-5);
    assert.ok(maxError((loadTfjsModel(path).predict(xs) as Tensor).data, want) <= 1e-6);
  });

  it('reads Keras < 2.2.3 Sequential configs (a bare list) with Keras 1 argument names, and GRUs without reset_after', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.conv1d({
        name: 'conv',
        filters: 3,
        kernelSize: 2,
        inputShape: [6, 2],
        padding: 'same',
      }),
    );
    m.add(tf.layers.gru({ name: 'gru', units: 4 }));
    m.add(tf.layers.dense({ name: 'dense', units: 2 }));
    const saved = await saveWithTfjs(m, 'keras1');
    const layers = saved.topology.config.layers.map((l: Json) => {
      const c = { ...l.config };
      if (l.class_name === 'Dense') {
        c.output_dim = c.units;
        delete c.units;
      }
      if (l.class_name === 'Conv1D') {
        Object.assign(c, {
          nb_filter: c.filters,
          filter_length: c.kernel_size,
          border_mode: c.padding,
        });
        delete c.filters;
        delete c.kernel_size;
        delete c.padding;
      }
      if (l.class_name === 'GRU') delete c.reset_after;
      return { class_name: l.class_name === 'Conv1D' ? 'Convolution1D' : l.class_name, config: c };
    });
    const file = writeModel(
      'keras1',
      {
        keras_version: '2.1.6',
        backend: 'tensorflow',
        model_config: { class_name: 'Sequential', config: layers },
      },
      [weightsOf(saved)],
    );
    const model = loadTfjsModel(file);
    setSeed(6);
    const x = randomUniform([2, 6, 2]);
    const err = maxError((model.predict(x) as Tensor).data, predictTf(m, x));
    assert.ok(err <= 1e-5, `max error ${err}`);
  });

  it('runs stateful RNNs as TensorFlow.js does: states carry from batch to batch until resetStates', async () => {
    const m = tf.sequential();
    m.add(
      tf.layers.lstm({
        name: 'lstm',
        units: 3,
        stateful: true,
        batchInputShape: [2, 4, 2],
        recurrentActivation: 'sigmoid',
      }),
    );
    m.add(tf.layers.dense({ name: 'dense', units: 1 }));
    const saved = await saveWithTfjs(m, 'stateful');
    const file = writeModel('stateful', saved.topology, [weightsOf(saved)]);
    const model = loadTfjsModel(file);
    setSeed(7);
    const x1 = randomUniform([2, 4, 2]);
    const x2 = randomUniform([2, 4, 2]);
    const k1 = Array.from((model.predict(x1) as Tensor).data);
    const k2 = Array.from((model.predict(x2) as Tensor).data);
    const t1 = predictTf(m, x1);
    const t2 = predictTf(m, x2);
    assert.ok(maxError(k1, t1) <= 1e-5, `first batch: ${k1} vs ${Array.from(t1)}`);
    assert.ok(maxError(k2, t2) <= 1e-5, `second batch: ${k2} vs ${Array.from(t2)}`);
    model.resetStates();
    const fresh = Array.from((model.predict(x2) as Tensor).data);
    assert.ok(maxError(k2, fresh) > 1e-4, 'the second batch must depend on the first');
    model.resetStates();
    m.resetStates();
    assert.ok(maxError((model.predict(x1) as Tensor).data, predictTf(m, x1)) <= 1e-5);
    // A stateful layer without a fixed batch size keeps the batch of its first call.
    const free = new Sequential([new LSTM(2, { stateful: true, inputShape: [4, 2] })]);
    free.predict(x1);
    assert.throws(
      () => free.predict(randomUniform([3, 4, 2])),
      /LSTM 'lstm\w*': this stateful layer carries states for a batch of 2, got a batch of 3; keep the batch size or call resetStates\(\)/,
    );
    free.resetStates();
    assert.equal((free.predict(randomUniform([3, 4, 2])) as Tensor).shape[0], 3);
  });

  it('names every unsupported layer and argument of a model in one error', () => {
    const dense = (name: string, extra: Json = {}) => ({
      class_name: 'Dense',
      config: { name, units: 2, ...extra },
    });
    const topology = {
      model_config: {
        class_name: 'Sequential',
        config: {
          name: 's',
          layers: [
            {
              class_name: 'Conv2D',
              config: {
                name: 'grouped',
                filters: 4,
                kernel_size: 3,
                groups: 2,
                batch_input_shape: [null, 8, 8, 4],
              },
            },
            {
              class_name: 'Lambda',
              config: { name: 'lambda', function: ['4wEAAAA...', null, null] },
            },
            {
              class_name: 'TensorFlowOpLayer',
              config: { name: 'tf_op_layer_Mul', node_def: { op: 'Mul' } },
            },
            { class_name: 'FancyAttention', config: { name: 'fancy' } },
            dense('dense'),
          ],
        },
      },
    };
    const file = writeModel('unsupported', topology, [[]]);
    assert.throws(
      () => loadTfjsModel(file),
      (e: Error) => {
        assert.match(e.message, /4 unsupported item/);
        assert.match(e.message, /'s\/grouped' \(Conv2D\) has groups=2/);
        assert.match(e.message, /'s\/lambda' is a Lambda: it runs Python or TensorFlow code/);
        assert.match(e.message, /'s\/tf_op_layer_Mul' is a TensorFlowOpLayer/);
        assert.match(e.message, /'s\/fancy' has class 'FancyAttention', which Keel does not have/);
        return true;
      },
    );
  });

  it('rejects malformed quantization metadata with the weight named', async () => {
    const m = tf.sequential();
    m.add(tf.layers.dense({ name: 'dense', units: 2, inputShape: [3] }));
    const saved = await saveWithTfjs(m, 'bad-quant');
    const weights = weightsOf(saved).map((w) => quantize(w, 'uint8'));
    weights[0]!.quantization = { dtype: 'uint8', scale: 'big', min: 0 };
    assert.throws(
      () => loadTfjsModel(writeModel('bad-quant', saved.topology, [weights])),
      /weight 'dense\/kernel' quantization .* needs finite numbers scale and min/,
    );
    weights[0]!.quantization = { dtype: 'int4' };
    assert.throws(
      () => loadTfjsModel(writeModel('bad-quant2', saved.topology, [weights])),
      /dtype must be 'uint8', 'uint16' or 'float16'/,
    );
  });
});

/** The converter's quantization (write_weights.py): affine uint8/uint16 per tensor, or float16. */
function quantize(w: OutWeight, dtype: 'uint8' | 'uint16' | 'float16'): OutWeight {
  const v = new Float32Array(
    w.bytes.buffer.slice(w.bytes.byteOffset, w.bytes.byteOffset + w.bytes.byteLength),
  );
  if (dtype === 'float16') {
    const h = new Uint16Array(v.length);
    for (let i = 0; i < v.length; i++) h[i] = toHalf(v[i]!);
    return {
      ...w,
      bytes: new Uint8Array(h.buffer),
      quantization: { dtype, original_dtype: 'float32' },
    };
  }
  const levels = dtype === 'uint8' ? 255 : 65535;
  const min = Math.min(...v);
  let max = Math.max(...v);
  if (min === max) max = min + 1;
  const scale = (max - min) / levels;
  const q = dtype === 'uint8' ? new Uint8Array(v.length) : new Uint16Array(v.length);
  for (let i = 0; i < v.length; i++)
    q[i] = Math.max(0, Math.min(levels, Math.round((v[i]! - min) / scale)));
  return {
    ...w,
    bytes: new Uint8Array(q.buffer),
    quantization: { dtype, scale, min, original_dtype: 'float32' },
  };
}

/** float32 → IEEE half (round to nearest even), for normal-range values as weights are. */
function toHalf(x: number): number {
  const f = new Float32Array([x]);
  const b = new Uint32Array(f.buffer)[0]!;
  const sign = (b >>> 16) & 0x8000;
  const exp = ((b >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0) return sign;
  if (exp >= 31) return sign | 0x7c00;
  let mant = (b >>> 13) & 0x3ff;
  const rest = b & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && mant & 1)) mant++;
  return (sign | (exp << 10)) + mant;
}
