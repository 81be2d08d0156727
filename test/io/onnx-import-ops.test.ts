/**
 * PyTorch 1.13 exports at opsets 7 to 17 (written by fixtures/torch/export_import_ops.py): Pad,
 * Upsample/Resize, Slice, Split, shape arithmetic and constant subgraphs folded at import. Keel
 * imports each file and matches ONNX Runtime on random inputs within 1e-4, or gives a clear error.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { importOnnx } from '../../src/io/onnx/import.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const DIR = join(import.meta.dirname, 'fixtures', 'torch', 'import-ops');
const OPSETS = [7, 9, 10, 11, 13, 17];

/** Model → the layer classes it must contain, and the opsets at which it must fail (with why). */
const MODELS: Record<string, { has: string[]; fails?: Record<number, RegExp> }> = {
  pad: { has: ['ZeroPadding2D', 'Conv2D'] },
  up_nearest: { has: ['UpSampling2D'] },
  // Opsets 9 and 10 can only say 'linear' with asymmetric coordinates (not PyTorch's own
  // half-pixel ones): UpSampling2D without half-pixel centers computes what ONNX Runtime does.
  up_bilinear: { has: ['UpSampling2D'] },
  slice: { has: ['Slice', 'Dense'] },
  split: { has: ['Slice', 'Concatenate'] },
  chunk: { has: ['Slice', 'Multiply'] },
  chain: { has: ['Conv2D', 'Reshape', 'Dense'] },
};

async function maxError(bytes: Uint8Array, file: string) {
  const model = importOnnx(bytes, file);
  const shape = model.inputs[0]!.shape.map((d) => d ?? 3);
  const x = randomUniform(shape, -1, 1);
  const session = await ort.InferenceSession.create(bytes);
  const feed = new ort.Tensor('float32', x.data as Float32Array, shape);
  const want = (await session.run({ [session.inputNames[0]!]: feed }))[session.outputNames[0]!]!;
  const got = model.predict(x) as Tensor;
  assert.deepEqual([...got.shape], [...want.dims], `${file}: output shape`);
  const w = want.data as Float32Array;
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(got.data[i]! - w[i]!));
  return { model, max };
}

describe('ONNX import of PyTorch exports: Pad, Resize, Slice, Split, folded shape arithmetic', () => {
  for (const [name, spec] of Object.entries(MODELS)) {
    it(`${name}: ONNX Runtime's predictions at every opset torch exports`, async () => {
      setSeed(3);
      let checked = 0;
      for (const opset of OPSETS) {
        const file = `${name}_op${opset}.onnx`;
        if (!existsSync(join(DIR, file))) continue;
        const bytes = readFileSync(join(DIR, file));
        const fails = spec.fails?.[opset];
        if (fails) {
          assert.throws(() => importOnnx(bytes, file), fails);
          continue;
        }
        const { model, max } = await maxError(bytes, file);
        assert.ok(max <= 1e-4, `${file}: max abs error ${max}`);
        const classes = new Set(
          model.layers.map((l) => (l.constructor as { className?: string }).className),
        );
        for (const c of spec.has) assert.ok(classes.has(c), `${file}: has no ${c} layer`);
        checked++;
      }
      assert.ok(checked >= 3, `${name}: only ${checked} opsets checked`);
    });
  }
});
