import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { importOnnx } from '../../src/io/onnx/import.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

// Written by fixtures/torch/export_fixtures.py (torch 1.13, opset 17, dynamic batch axis).
const FIXTURES = join(import.meta.dirname, 'fixtures', 'torch');

/** Imports a PyTorch export; returns max |Keel − ONNX Runtime| on random inputs (batch 3). */
async function torchError(file: string, layers: string[]): Promise<number> {
  const bytes = readFileSync(join(FIXTURES, file));
  const model = importOnnx(bytes, file);
  assert.deepEqual(
    model.layers.map((l) => (l.constructor as { className?: string }).className),
    layers,
  );
  const xs = model.inputs.map((t) =>
    randomUniform(
      t.shape.map((d) => d ?? 3),
      -1,
      1,
    ),
  );
  const session = await ort.InferenceSession.create(bytes);
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((n, i) => {
    feeds[n] = new ort.Tensor('float32', xs[i]!.data as Float32Array, xs[i]!.shape);
  });
  const expected = (await session.run(feeds))[session.outputNames[0]!]!;
  const got = model.predict(xs.length === 1 ? xs[0]! : xs) as Tensor;
  assert.deepEqual(got.shape, [...expected.dims]);
  let max = 0;
  const e = expected.data as Float32Array;
  for (let i = 0; i < got.size; i++) max = Math.max(max, Math.abs(got.data[i]! - e[i]!));
  // The imported model trains: one SGD step towards a random target moves its weights.
  model.compile({ optimizer: 'sgd', loss: 'mse' });
  const before = model.getWeights().map((w) => Float32Array.from(w.data as Float32Array));
  await model.fit(xs.length === 1 ? xs[0]! : xs, randomUniform(got.shape, -1, 1), {
    epochs: 1,
    verbose: 0,
  });
  assert.ok(
    model.getWeights().some((w, i) => w.data.some((v, j) => v !== before[i]![j])),
    'one fit step changed the weights',
  );
  return max;
}

const ENCODER = [
  'InputLayer',
  'MultiHeadAttention',
  'Add',
  'LayerNormalization',
  'Dense',
  'Activation',
  'Dense',
  'Add',
  'LayerNormalization',
];

describe('ONNX import of PyTorch exports (opset 17)', () => {
  const cases: [string, string[]][] = [
    ['mha_self.onnx', ['InputLayer', 'MultiHeadAttention']],
    ['mha_cross.onnx', ['InputLayer', 'InputLayer', 'MultiHeadAttention']],
    ['encoder_post_norm_gelu.onnx', ENCODER],
    [
      'encoder_pre_norm_relu.onnx',
      [
        'InputLayer',
        'LayerNormalization',
        'MultiHeadAttention',
        'Add',
        'LayerNormalization',
        'Dense',
        'Activation',
        'Dense',
        'Add',
      ],
    ],
    ['lstm.onnx', ['InputLayer', 'LSTM']],
    [
      'cnn.onnx',
      [
        'InputLayer',
        'Permute',
        'Conv2D',
        'Activation',
        'MaxPooling2D',
        'Permute',
        'Flatten',
        'Dense',
        'Activation',
      ],
    ],
  ];
  for (const [file, layers] of cases) {
    it(`${file} imports, matches ONNX Runtime to 1e-4 and trains`, async () => {
      setSeed(11);
      const err = await torchError(file, layers);
      console.log(`onnx import (PyTorch) ${file} max abs error ${err}`);
      assert.ok(err <= 1e-4, `max error ${err}`);
    });
  }
});
