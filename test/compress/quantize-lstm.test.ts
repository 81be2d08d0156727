import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { quantizationReport, quantize } from '../../src/compress/index.js';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Embedding } from '../../src/nn/layers/embedding.js';
import { LSTM } from '../../src/nn/layers/lstm.js';
import { QuantizedLSTM } from '../../src/nn/layers/quantized-lstm.js';
import { setSeed } from '../../src/random/rng.js';
import { randomNormal, randomUniform } from '../../src/random/tensors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

/** A small spam-LSTM-shaped model: Embedding, LSTM, Dense. */
function model(returnSequences = false): Sequential {
  setSeed(3);
  const m = new Sequential([
    new Embedding(50, 12, { inputLength: 9, name: 'emb' }),
    new LSTM(20, { name: 'lstm', returnSequences }),
    new Dense(1, { activation: 'sigmoid', name: 'out' }),
  ]);
  m.build([null, 9]);
  const lstm = m.layers[1] as LSTM;
  lstm.bias!.assign(randomNormal([80], 0, 0.3));
  return m;
}

function ids(n: number): Tensor {
  const d = new Float32Array(n * 9);
  for (let i = 0; i < d.length; i++) d[i] = (i * 7 + Math.floor(i / 9) * 13) % 50;
  return new Tensor(d, [n, 9], 'float32');
}

function maxDiff(a: Tensor, b: Tensor): number {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
}

describe('quantize: dynamic int8 LSTM', () => {
  it('swaps LSTM for QuantizedLSTM with int8 kernels, and stays close to float', () => {
    const m = model();
    const q = quantize(m, { mode: 'dynamic' });
    const layer = q.layers[1]!;
    assert.ok(layer instanceof QuantizedLSTM);
    assert.equal(layer.kernel!.dtype, 'int8');
    assert.equal(layer.recurrentKernel!.dtype, 'int8');
    const x = ids(16);
    const d = maxDiff(q.predict(x) as Tensor, m.predict(x) as Tensor);
    assert.ok(d < 0.02, `int8 vs float max |diff| ${d}`);
    assert.ok(d > 0, 'the int8 model is not the float one');
  });

  it('stays close on random inputs, sequences returned, both directions', () => {
    for (const goBackwards of [false, true]) {
      setSeed(11);
      const f = new Sequential([
        new LSTM(33, { returnSequences: true, goBackwards, inputShape: [7, 5] }),
      ]);
      const q = quantize(f, { mode: 'dynamic' });
      const x = randomUniform([6, 7, 5], -2, 2);
      const a = q.predict(x) as Tensor;
      const b = f.predict(x) as Tensor;
      assert.deepEqual(a.shape, [6, 7, 33]);
      const d = maxDiff(a, b);
      assert.ok(d < 0.03, `goBackwards ${goBackwards}: max |diff| ${d}`);
    }
  });

  it('saves and loads bit-exactly, in a smaller file; the report lists it as int8', () => {
    const m = model();
    const q = quantize(m, { mode: 'dynamic', layers: ['lstm'] });
    const report = quantizationReport(q);
    assert.deepEqual(report.quantized, ['lstm']);
    assert.match(String(report), /lstm \(QuantizedLSTM\): int8/);
    assert.match(String(report), /out \(Dense\): float, not among the layers asked for/);
    const dir = mkdtempSync(join(tmpdir(), 'keel-qlstm-'));
    try {
      m.save(join(dir, 'float.keel'));
      q.save(join(dir, 'int8.keel'));
      const loaded = loadModel(join(dir, 'int8.keel'));
      assert.ok(loaded.layers[1] instanceof QuantizedLSTM);
      for (const [i, w] of loaded.weights.entries()) {
        assert.equal(w.dtype, q.weights[i]!.dtype);
        assert.deepEqual(w.data, q.weights[i]!.data);
      }
      const x = ids(5);
      assert.deepEqual((loaded.predict(x) as Tensor).data, (q.predict(x) as Tensor).data);
      assert.ok(statSync(join(dir, 'int8.keel')).size < statSync(join(dir, 'float.keel')).size);
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it('a NaN input is an error naming the layer', () => {
    const q = quantize(model(), { mode: 'dynamic' });
    const lstm = q.layers[1]!;
    const x = new Tensor(new Float32Array(2 * 9 * 12).fill(Number.NaN), [2, 9, 12], 'float32');
    assert.throws(
      () => lstm.apply(x),
      /QuantizedLSTM 'lstm' \(int8, inference only\): the input holds NaN/,
    );
  });
});
