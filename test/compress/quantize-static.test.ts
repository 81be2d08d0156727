import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { noGrad } from '../../src/autograd/tape.js';
import { quantizationReport, quantize } from '../../src/compress/index.js';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { inferencePlanFor } from '../../src/models/inference-plan.js';
import { Sequential } from '../../src/models/sequential.js';
import { Conv2D } from '../../src/nn/layers/conv2d.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { MaxPooling2D } from '../../src/nn/layers/max-pooling2d.js';
import { QuantizedConv2D } from '../../src/nn/layers/quantized-conv2d.js';
import { QuantizedDense } from '../../src/nn/layers/quantized-dense.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

/** A small seed-CNN-shaped model: Conv2D(relu) / MaxPooling2D / Flatten / Dense(softmax). */
function cnn(): Sequential {
  setSeed(3);
  return new Sequential([
    new Conv2D(8, [3, 3], { activation: 'relu', inputShape: [12, 12, 1], name: 'conv' }),
    new MaxPooling2D([2, 2], { name: 'pool' }),
    new Flatten({ name: 'flat' }),
    new Dense(256, { activation: 'relu', name: 'fc1' }),
    new Dense(5, { activation: 'softmax', name: 'fc2' }),
  ]);
}

const maxAbsDiff = (a: Tensor, b: Tensor) => {
  let m = 0;
  for (let i = 0; i < a.size; i++) m = Math.max(m, Math.abs(a.data[i]! - b.data[i]!));
  return m;
};

describe('quantize (static)', () => {
  it('reports calibration progress: every batch through every layer, then each chosen layer', () => {
    const model = cnn();
    const events: string[] = [];
    quantize(model, {
      mode: 'static',
      calibrationData: randomUniform([300, 12, 12, 1]),
      layers: ['conv', 'fc2'],
      onProgress: (p) => events.push(`${p.stage} ${p.done}/${p.total} ${p.layer}`),
    });
    const batch = (done: number) =>
      ['conv', 'pool', 'flat', 'fc1'].map((l) => `activations ${done}/2 ${l}`);
    assert.deepEqual(events, [
      ...batch(0),
      'activations 1/2 fc2',
      ...batch(1),
      'activations 2/2 fc2',
      'ranges 0/2 conv',
      'ranges 1/2 conv',
      'ranges 1/2 fc2',
      'ranges 2/2 fc2',
    ]);
  });

  it('runs the chain on uint8 end to end and stays close to float, for every calibration', () => {
    const model = cnn();
    const x = randomUniform([48, 12, 12, 1]);
    for (const calibration of ['minmax', 'percentile', 'entropy'] as const) {
      const q = quantize(model, { mode: 'static', calibrationData: x, calibration });
      const [conv, , , fc1, fc2] = q.layers as [
        QuantizedConv2D,
        unknown,
        unknown,
        QuantizedDense,
        QuantizedDense,
      ];
      assert.ok(conv instanceof QuantizedConv2D && fc1 instanceof QuantizedDense);
      assert.deepEqual(quantizationReport(q).quantized, ['conv', 'fc1', 'fc2']);
      // uint8 between integer layers: each consumer reads its producer's output range.
      assert.equal(conv.quant.outputScale, fc1.quant.inputScale);
      assert.equal(fc1.quant.outputScale, fc2.quant.inputScale);
      assert.equal(fc2.quant.outputScale, null, 'the softmax layer dequantizes');
      const h = conv.apply(x) as Tensor;
      assert.equal(h.dtype, 'uint8');
      const y = q.predict(x) as Tensor;
      const diff = maxAbsDiff(y, model.predict(x) as Tensor);
      assert.ok(diff < (calibration === 'minmax' ? 0.02 : 0.08), `${calibration}: ${diff}`);
    }
  });

  it('predicts from an inference plan equal to the layers bit for bit; dynamic mode is not planned', () => {
    const model = cnn();
    const x = randomUniform([7, 12, 12, 1]);
    const q = quantize(model, { mode: 'static', calibrationData: x });
    const plan = inferencePlanFor(q, [x]);
    assert.ok(plan, 'a static int8 model is traced');
    // quantizeLinear, the convolution fused with its pooling, two dense layers, softmax.
    assert.equal(plan.kernelCalls, 5);
    const other = randomUniform([7, 12, 12, 1]);
    const want = noGrad(() => q.apply(other, { training: false })) as Tensor;
    assert.deepEqual(Array.from((q.predict(other) as Tensor).data), Array.from(want.data));
    // Dynamic mode ranges each batch in JavaScript: its kernels depend on the data.
    const dynamic = quantize(model, { mode: 'dynamic' });
    assert.equal(inferencePlanFor(dynamic, [x]), null);
  });

  it('saves and loads bit-exactly, in under 1/3.5 of the float file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-qstatic-'));
    const model = cnn();
    const x = randomUniform([16, 12, 12, 1]);
    const q = quantize(model, { mode: 'static', calibrationData: x });
    model.save(join(dir, 'float.keel'));
    q.save(join(dir, 'int8.keel'));
    const back = loadModel(join(dir, 'int8.keel'));
    assert.deepEqual(
      Array.from((back.predict(x) as Tensor).data),
      Array.from((q.predict(x) as Tensor).data),
    );
    const ratio = statSync(join(dir, 'float.keel')).size / statSync(join(dir, 'int8.keel')).size;
    assert.ok(ratio > 3.5, `ratio ${ratio}`);
    rmSync(dir, { recursive: true });
  });

  it('rejects missing, empty or misshapen calibration data and unsupported layers', () => {
    const model = cnn();
    assert.throws(() => quantize(model, { mode: 'static' }), /mode 'static' needs calibrationData/);
    assert.throws(
      () => quantize(model, { mode: 'static', calibrationData: randomUniform([0, 12, 12, 1]) }),
      /calibrationData is empty/,
    );
    assert.throws(
      () => quantize(model, { mode: 'static', calibrationData: randomUniform([4, 12, 12, 3]) }),
      /calibrationData \[4, 12, 12, 3\] does not fit model '.*' input \[None, 12, 12, 1\]/,
    );
    assert.throws(
      () =>
        quantize(model, {
          mode: 'static',
          calibrationData: randomUniform([4, 12, 12, 1]),
          layers: ['pool'],
        }),
      /layer 'pool' \(MaxPooling2D\) cannot be quantized; static quantization supports Conv2D and Dense/,
    );
    assert.throws(
      () =>
        quantize(new Sequential([new Dense(3)]), {
          mode: 'static',
          calibrationData: randomUniform([2, 4]),
        }),
      /is not built/,
    );
  });
});
