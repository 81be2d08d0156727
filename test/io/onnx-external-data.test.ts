/**
 * ONNX external data (fixtures/torch/export_external_data.py: a PyTorch export whose initializers
 * were moved into side files): Keel reads them from the model's folder only, checks offsets and
 * lengths, and matches ONNX Runtime (which reads the same side files) within 1e-4.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { importOnnx, loadOnnx } from '../../src/io/onnx/import.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'torch', 'external');

describe('ONNX external data', () => {
  for (const file of ['conv.onnx', 'conv_files.onnx', 'conv_inline.onnx']) {
    it(`${file}: loads and matches ONNX Runtime`, async () => {
      setSeed(5);
      const path = join(DIR, file);
      const model = loadOnnx(path);
      const x = randomUniform([3, 2, 5, 5], -1, 1);
      const session = await ort.InferenceSession.create(path);
      const out = await session.run({
        x: new ort.Tensor('float32', x.data as Float32Array, [3, 2, 5, 5]),
      });
      const want = out[session.outputNames[0]!]!.data as Float32Array;
      const got = (model.predict(x) as Tensor).data;
      assert.equal(got.length, want.length);
      let max = 0;
      for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i]! - want[i]!));
      assert.ok(max <= 1e-4, `${file}: max abs error ${max}`);
    });
  }

  it('refuses locations outside the folder, through symbolic links too, and bad ranges', () => {
    assert.throws(
      () => loadOnnx(join(DIR, 'escape.onnx')),
      /escape.onnx: initializer .*location '..\/cnn.onnx' leaves the model's folder/,
    );
    assert.throws(
      () => loadOnnx(join(DIR, 'past_end.onnx')),
      /past_end.onnx: initializer .*bytes \[100000, \d+\) lie past the end of 'conv.data'/,
    );
    assert.throws(
      () => importOnnx(readFileSync(join(DIR, 'conv.onnx')), 'conv.onnx'),
      /conv.onnx: initializer .*given as bytes; load it from its file/,
    );
    const root = mkdtempSync(join(tmpdir(), 'keel-extdata-'));
    mkdirSync(join(root, 'model'));
    mkdirSync(join(root, 'elsewhere'));
    copyFileSync(join(DIR, 'conv.onnx'), join(root, 'model', 'conv.onnx'));
    copyFileSync(join(DIR, 'conv.data'), join(root, 'elsewhere', 'conv.data'));
    symlinkSync(join(root, 'elsewhere', 'conv.data'), join(root, 'model', 'conv.data'));
    assert.throws(() => loadOnnx(join(root, 'model', 'conv.onnx')), /leaves the model's folder/);
    copyFileSync(join(DIR, 'conv_files.onnx'), join(root, 'model', 'conv_files.onnx'));
    copyFileSync(join(DIR, 'w_0.bin'), join(root, 'model', 'w_0.bin'));
    assert.throws(
      () => loadOnnx(join(root, 'model', 'conv_files.onnx')),
      /data file 'w_1.bin' not found beside the model/,
    );
  });
});
