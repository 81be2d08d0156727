/**
 * int8 ONNX import (issue 12), on graphs PyTorch's exporter wrote (fixtures/torch/export_int8.py):
 * QDQ pairs → FakeQuantize, QLinearMatMul → QuantizedDense, QLinearConv → QuantizedConv2D,
 * DynamicQuantizeLinear + MatMulInteger → dynamic QuantizedDense, and torch's own QDQ export of a
 * quantized CNN (QuantizeLinear → Cast → DequantizeLinear, int32 biases). Each matches ONNX Runtime within
 * one step of its output grid, and the number of elements that differ at all (> 1e-4) is bounded.
 */
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

const DIR = join(import.meta.dirname, 'fixtures', 'torch', 'int8');
/** Model → its Keel layers (beside InputLayer, Permute, Activation, Flatten) and its batch size. */
const CASES: Record<string, { layers: string[]; batch: number }> = {
  qdq_linear: { layers: ['FakeQuantize', 'Dense'], batch: 16 },
  qlinear_matmul: { layers: ['FakeQuantize', 'QuantizedDense', 'FakeQuantize'], batch: 16 },
  qlinear_conv: { layers: ['FakeQuantize', 'QuantizedConv2D', 'FakeQuantize'], batch: 16 },
  dynamic_matmul: { layers: ['QuantizedDense'], batch: 16 },
  // torch's quantized export fixes the batch size.
  torch_qdq_cnn: {
    layers: [
      'FakeQuantize',
      'Conv2D',
      'FakeQuantize',
      'FakeQuantize',
      'FakeQuantize',
      'Dense',
      'FakeQuantize',
    ],
    batch: 2,
  },
};

const SKIP = new Set(['InputLayer', 'Permute', 'Activation', 'Flatten']);

describe('int8 ONNX import', () => {
  for (const [name, spec] of Object.entries(CASES)) {
    it(`${name}: Keel's int8 layers match ONNX Runtime within one quantization step`, async () => {
      setSeed(11);
      const bytes = readFileSync(join(DIR, `${name}.onnx`));
      const model = importOnnx(bytes, name);
      const classes = model.layers
        .map((l) => (l.constructor as { className?: string }).className)
        .filter((c) => !SKIP.has(c!));
      assert.deepEqual(classes, spec.layers);
      const shape = model.inputs[0]!.shape.map((d) => d ?? spec.batch);
      // One step of the output grid: the scale of a final FakeQuantize, else float outputs.
      const last = model.layers.at(-1) as { scale?: number };
      const step = last.constructor.name === 'FakeQuantize' ? last.scale! : 0;
      // Past the calibrated [-1, 1] on purpose: the input grid saturates as in ONNX Runtime.
      const x = randomUniform(shape, -1.2, 1.2);
      const session = await ort.InferenceSession.create(bytes);
      const out = await session.run({
        x: new ort.Tensor('float32', x.data as Float32Array, shape),
      });
      const want = out.y!.data as Float32Array;
      const got = (model.predict(x) as Tensor).data;
      assert.equal(got.length, want.length);
      let max = 0;
      let differ = 0;
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got[i]! - want[i]!);
        max = Math.max(max, d);
        if (d > 1e-4) differ++;
      }
      assert.ok(max <= step + 1e-4, `${name}: max abs error ${max}`);
      // Rounding ties may move a few elements by one step; more would be a semantic difference.
      assert.ok(
        differ <= Math.ceil(want.length * 0.01),
        `${name}: ${differ} of ${want.length} differ`,
      );
    });
  }

  it('names the node and attribute an int8 operator does not support', () => {
    const file = 'qlinear_conv_group.onnx';
    assert.throws(
      () => importOnnx(readFileSync(join(DIR, file)), file),
      /qlinear_conv_group.onnx: node \d+ '\/QLinearConv' \(QLinearConv\): attribute group=2 is not supported/,
    );
  });
});
