/**
 * PyTorch exports of the shapes real projects use, at opsets 9, 11, 13 and 17 (written by
 * fixtures/torch/export_opsets.py and export_conv_transpose.py): Keel imports each and matches ONNX Runtime on random inputs,
 * or, for what Keel cannot express yet, fails with a message naming every unsupported operator.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { importOnnx } from '../../src/io/onnx/import.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'torch', 'opsets');
const OPSETS = [9, 11, 13, 17];

/** Model → the Keel layer classes it must become (beside InputLayer), or the error it must give. */
const MODELS: Record<string, { layers?: string[]; ids?: boolean; error?: RegExp }> = {
  view: { layers: ['Permute', 'Conv2D', 'Activation', 'Permute', 'Reshape', 'Dense'] },
  unsq: { layers: ['Dense', 'Reshape', 'Reshape'] },
  argmax: { layers: ['Dense', 'ArgMax'] },
  hardsig: { layers: ['Dense', 'Activation', 'Dense'] },
  relu6: { layers: ['Dense', 'Activation', 'Dense', 'Activation'] },
  bn_cnn: {},
  textcnn: { ids: true },
  dropout: {},
  leaky: { layers: ['Dense', 'LeakyReLU', 'Dense'] },
  convT: { layers: ['Permute', 'Conv2D', 'Activation', 'Conv2DTranspose', 'Permute'] },
  // export_conv_transpose.py: padding and output_padding, cropped after a 'valid' transpose.
  convT_pad: {
    layers: [
      'Permute',
      'Conv2D',
      'LeakyReLU',
      'Conv2DTranspose',
      'Cropping2D',
      'Activation',
      'Conv2DTranspose',
      'Cropping2D',
      'Permute',
    ],
  },
  convT1d_pad: { layers: ['Permute', 'Conv1DTranspose', 'Cropping1D', 'Activation', 'Permute'] },
};

async function compare(file: string, ids: boolean) {
  const bytes = readFileSync(join(DIR, file));
  const model = importOnnx(bytes, file);
  const shape = model.inputs[0]!.shape.map((d) => d ?? 3);
  const size = shape.reduce((a, b) => a * b, 1);
  const x = ids
    ? new Tensor(
        Int32Array.from({ length: size }, (_, i) => (i * 7 + 3) % 20),
        shape,
        'int32',
      )
    : randomUniform(shape, -1, 1);
  const session = await ort.InferenceSession.create(bytes);
  const feed = ids
    ? new ort.Tensor('int64', BigInt64Array.from(Array.from(x.data, (v) => BigInt(v))), shape)
    : new ort.Tensor('float32', x.data as Float32Array, shape);
  const want = (await session.run({ [session.inputNames[0]!]: feed }))[session.outputNames[0]!]!;
  const got = model.predict(x) as Tensor;
  assert.deepEqual([...got.shape], [...want.dims], `${file}: output shape`);
  const w = Array.from(want.data as ArrayLike<number | bigint>, Number);
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(got.data[i]! - w[i]!));
  assert.ok(max <= 1e-5, `${file}: max abs error ${max}`);
  return model;
}

describe('ONNX files exported by PyTorch at opsets 9 to 17', () => {
  for (const [name, spec] of Object.entries(MODELS)) {
    it(`${name}: ${spec.error ? 'a clear error' : 'the same predictions as ONNX Runtime'} at every opset`, async () => {
      setSeed(1);
      for (const opset of OPSETS) {
        const file = `${name}_op${opset}.onnx`;
        if (spec.error) {
          assert.throws(() => importOnnx(readFileSync(join(DIR, file)), file), spec.error);
          continue;
        }
        const model = await compare(file, !!spec.ids);
        if (spec.layers) {
          const classes = model.layers
            .map((l) => (l.constructor as { className?: string }).className)
            .filter((c) => c !== 'InputLayer');
          assert.deepEqual(classes, spec.layers, `${file}: layers`);
        }
      }
    });
  }
});
