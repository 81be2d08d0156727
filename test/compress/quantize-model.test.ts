import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { quantizationReport, quantize } from '../../src/compress/index.js';
import {
  encodeModelFile,
  loadModel,
  loadModelFromBytes,
} from '../../src/io/keel-format/model-file.js';
import { decodeSafetensors } from '../../src/io/safetensors-read.js';
import { encodeSafetensors } from '../../src/io/safetensors-writer.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Conv1D } from '../../src/nn/layers/conv1d.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { LayerNormalization } from '../../src/nn/layers/layer-normalization.js';
import { QuantizedDense } from '../../src/nn/layers/quantized-dense.js';
import { setSeed } from '../../src/random/rng.js';
import { randomNormal } from '../../src/random/tensors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

function lenet(): Sequential {
  setSeed(5);
  return new Sequential([
    new Dense(300, { activation: 'relu', inputShape: [784], name: 'fc1' }),
    new Dense(100, { activation: 'relu', name: 'fc2' }),
    new Dense(10, { activation: 'softmax', name: 'fc3' }),
  ]);
}

function functional(): Model {
  setSeed(6);
  const x = Input({ shape: [6, 4] });
  const c = new Conv1D(8, 3, { name: 'conv', activation: 'relu' }).apply(x);
  const inner = new Sequential([new Dense(5, { inputShape: [4, 8], name: 'inner_fc' })], {
    name: 'inner',
  });
  const h = new LayerNormalization({ name: 'norm' }).apply(inner.apply(c));
  const y = new Dense(3, { name: 'head' }).apply(new Flatten().apply(h));
  return new Model({ inputs: x, outputs: y, name: 'net' });
}

const close = (a: Tensor, b: Tensor, tol: number) =>
  a.data.every((v, i) => Math.abs(v - b.data[i]!) <= tol);

describe('quantize (dynamic)', () => {
  it('replaces every Dense of a Sequential and leaves the original untouched', () => {
    const model = lenet();
    const before = model.weights.map((w) => w.data.slice());
    const q = quantize(model, { mode: 'dynamic' });
    assert.notEqual(q, model);
    assert.ok(q.layers.every((l) => l instanceof QuantizedDense));
    assert.ok(model.layers.every((l) => l instanceof Dense));
    for (const [i, w] of model.weights.entries()) assert.deepEqual(w.data, before[i]);
    const x = randomNormal([8, 784]);
    const p = model.predict(x) as Tensor;
    const pq = q.predict(x) as Tensor;
    assert.ok(close(p, pq, 0.02), 'int8 softmax outputs within 0.02 of float');
    assert.deepEqual(quantizationReport(q).quantized, ['fc1', 'fc2', 'fc3']);
  });

  it('reaches Dense layers of functional and nested models; other layers stay float', () => {
    const model = functional();
    const q = quantize(model, { mode: 'dynamic' });
    const report = quantizationReport(q);
    assert.deepEqual(report.quantized, ['inner_fc', 'head']);
    assert.deepEqual(report.float, ['conv', 'norm']);
    assert.match(String(report), /conv \(Conv1D\): float, no int8 Conv1D kernel yet/);
    assert.match(String(report), /head \(QuantizedDense\): int8/);
    const x = randomNormal([4, 6, 4]);
    assert.ok(close(model.predict(x) as Tensor, q.predict(x) as Tensor, 0.05));
    // The float layers' weights are copies: changing the original does not reach the copy.
    const conv = model.getLayer('conv').weights[0]!;
    const copy = q.getLayer('conv').weights[0]!;
    assert.deepEqual(copy.data, conv.data);
    conv.data[0]! += 1;
    assert.notEqual(copy.data[0], conv.data[0]);
  });

  it('quantizes only the layers asked for, and says why the others stayed float', () => {
    const q = quantize(lenet(), { mode: 'dynamic', layers: ['fc2'] });
    const report = quantizationReport(q);
    assert.deepEqual(report.quantized, ['fc2']);
    assert.deepEqual(
      report.layers.filter((e) => !e.quantized).map((e) => e.reason),
      ['not among the layers asked for', 'not among the layers asked for'],
    );
  });

  it('rejects an unbuilt model, unknown or unsupported layers and other modes', () => {
    const unbuilt = new Sequential([new Dense(3)], { name: 'raw' });
    assert.throws(
      () => quantize(unbuilt, { mode: 'dynamic' }),
      /quantize: model 'raw' is not built/,
    );
    assert.throws(
      () => quantize(functional(), { mode: 'dynamic', layers: ['norm'] }),
      /quantize: layer 'norm' \(LayerNormalization\) cannot be quantized; dynamic quantization supports Dense and LSTM/,
    );
    assert.throws(
      () => quantize(lenet(), { mode: 'dynamic', layers: ['fc9'] }),
      /quantize: model '.*' has no layer named 'fc9'/,
    );
    assert.throws(
      () => quantize(lenet(), { mode: 'int4' as 'dynamic' }),
      /quantize: mode must be 'dynamic', 'static' or 'weight-only', got "int4"/,
    );
  });

  it('saves and loads bit-exactly, in under 1/3.5 of the float file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-quant-'));
    const model = lenet();
    const q = quantize(model, { mode: 'dynamic' });
    model.save(join(dir, 'float.keel'));
    q.save(join(dir, 'int8.keel'));
    const ratio = statSync(join(dir, 'float.keel')).size / statSync(join(dir, 'int8.keel')).size;
    assert.ok(ratio >= 3.5, `size ratio ${ratio}`);
    const loaded = loadModel(join(dir, 'int8.keel'));
    assert.deepEqual(
      loaded.weights.map((w) => [w.name, w.dtype, w.shape]),
      q.weights.map((w) => [w.name, w.dtype, w.shape]),
    );
    for (const [i, w] of loaded.weights.entries()) assert.deepEqual(w.data, q.weights[i]!.data);
    const x = randomNormal([3, 784]);
    assert.deepEqual((loaded.predict(x) as Tensor).data, (q.predict(x) as Tensor).data);
    assert.deepEqual(quantizationReport(loaded).quantized, ['fc1', 'fc2', 'fc3']);
    assert.ok(readFileSync(join(dir, 'int8.keel')).includes('"dtype":"I8"'));
  });

  it('rejects a hostile file: scales of the wrong length, an int8 kernel of the wrong shape', () => {
    const q = quantize(lenet(), { mode: 'dynamic' });
    const { tensors, metadata } = decodeSafetensors(
      new Uint8Array(Buffer.concat(encodeModelFile(q))),
      'q',
    );
    const tamper = (key: string, t: Tensor) => {
      const entries = [...tensors].map(([k, v]) => [k, k === key ? t : v] as [string, Tensor]);
      return new Uint8Array(Buffer.concat(encodeSafetensors(entries, metadata)));
    };
    const scale = tensors.get('fc2/kernel_scale')!;
    const short = tamper('fc2/kernel_scale', randomNormal([scale.size - 1]));
    assert.throws(
      () => loadModelFromBytes(short, 'bad.keel'),
      /bad\.keel: weight 'fc2\/kernel_scale' is float32 \[99\]/,
    );
    const kernel = tensors.get('fc2/kernel')!;
    const wrong = tamper('fc2/kernel', new Tensor(kernel.data, [100, 300], 'int8'));
    assert.throws(
      () => loadModelFromBytes(wrong, 'bad.keel'),
      /bad\.keel: weight 'fc2\/kernel' is int8 \[100,300\], the model's 'fc2\/kernel' is int8 \[300,100\]/,
    );
  });
});
