import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compressionReport, quantize } from '../../src/compress/index.js';
import { Sequential } from '../../src/models/sequential.js';
import { Conv2D } from '../../src/nn/layers/conv2d.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { MaxPooling2D } from '../../src/nn/layers/max-pooling2d.js';
import { oneHot } from '../../src/ops/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import { tensor } from '../../src/tensor/create.js';
import '../../src/backends/index.js';

function cnn(): Sequential {
  return new Sequential([
    new Conv2D(8, [3, 3], { activation: 'relu', inputShape: [10, 10, 1], name: 'conv' }),
    new MaxPooling2D([2, 2]),
    new Flatten(),
    new Dense(64, { activation: 'relu', name: 'fc1' }),
    new Dense(4, { activation: 'softmax', name: 'fc2' }),
  ]);
}

describe('compressionReport', () => {
  it('measures a model and its int8 version side by side', async () => {
    setSeed(8);
    const model = cnn();
    const x = randomUniform([40, 10, 10, 1]);
    const labels = tensor(
      Array.from({ length: 40 }, (_, i) => i % 4),
      [40],
      'int32',
    );
    const y = oneHot(labels, 4);
    const q = quantize(model, { mode: 'static', calibrationData: x });
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
    const report = await compressionReport(
      model,
      q,
      { x, y },
      { latencyCalls: 5, throughputCalls: 2 },
    );
    const { before, after } = report;
    // The int8 model adds one float32 scale per output channel (8 + 64 + 4).
    assert.equal(after.parameters, before.parameters + 76);
    assert.equal(before.weightBytes, 4 * before.parameters);
    // int8 kernels, float32 scales and biases.
    const conv = after.layers.find((l) => l.layer === 'conv')!;
    assert.deepEqual(conv.dtypes, ['int8', 'float32']);
    assert.equal(conv.bytes, 3 * 3 * 8 + 8 * 4 + 8 * 4);
    assert.ok(report.ratios.weightBytes > 3, `weight bytes ratio ${report.ratios.weightBytes}`);
    assert.ok(report.ratios.fileBytes! > 3, `file ratio ${report.ratios.fileBytes}`);
    // Compiled: evaluate's loss and accuracy; not compiled: the accuracy of the predictions.
    assert.deepEqual(Object.keys(before.metrics).sort(), ['accuracy', 'loss']);
    assert.ok(before.metrics['loss']! > 0);
    assert.deepEqual(Object.keys(after.metrics), ['accuracy']);
    const accuracy = after.metrics['accuracy']!;
    assert.ok(accuracy >= 0 && accuracy <= 1);
    for (const m of [before, after]) assert.ok(m.latencyMs > 0 && m.throughput > 0);
    const text = String(report);
    assert.match(text, /file bytes/);
    assert.match(text, /conv \(QuantizedConv2D\): 88 parameters/);
  });

  it('reports the sparsity of pruned weights and rejects bad test data', async () => {
    setSeed(9);
    const model = cnn();
    model.build([null, 10, 10, 1]);
    const pruned = cnn();
    pruned.build([null, 10, 10, 1]);
    pruned.setWeights(
      model.getWeights().map((w, i) => (i === 2 ? tensor(new Float32Array(w.size), w.shape) : w)),
    );
    const x = randomUniform([8, 10, 10, 1]);
    const y = randomUniform([8, 4]);
    const r = await compressionReport(
      model,
      pruned,
      { x, y },
      { latencyCalls: 2, throughputCalls: 1 },
    );
    assert.equal(r.after.layers.find((l) => l.layer === 'fc1')!.sparsity > 0.9, true);
    await assert.rejects(
      compressionReport(model, pruned, { x, y: randomUniform([7, 4]) }),
      /same number \(>= 1\) of samples in x and y, got x \[8, 10, 10, 1\] and y \[7, 4\]/,
    );
    await assert.rejects(compressionReport(model, pruned, undefined as never), /testData must be/);
  });
});
