import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { noGrad } from '../../src/autograd/tape.js';
import { quantize } from '../../src/compress/index.js';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { ModelProto, ONNX_DTYPE } from '../../src/io/onnx/schema.js';
import { Sequential } from '../../src/models/sequential.js';
import * as layers from '../../src/nn/layers/index.js';
import { quantizeLinear } from '../../src/ops/quantized-matmul.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const L = layers as unknown as Record<string, any>;

/** The exported model with every QuantizeLinear output added as a uint8 graph output. */
function withQuantizedOutputs(bytes: Uint8Array): { bytes: Uint8Array; names: string[] } {
  const m = ModelProto.decode(bytes) as unknown as {
    graph: { node: { opType: string; output: string[] }[]; output: unknown[] };
  };
  const names = m.graph.node.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.output[0]!);
  for (const name of names)
    m.graph.output.push({ name, type: { tensorType: { elemType: ONNX_DTYPE.UINT8 } } });
  return { bytes: ModelProto.encode(ModelProto.fromObject(m)).finish(), names };
}

/** NCHW data as NHWC. */
function nhwc(a: ArrayLike<number>, [n, c, h, w]: readonly number[]): number[] {
  const out = new Array<number>(a.length);
  for (let b = 0; b < n!; b++)
    for (let y = 0; y < h!; y++)
      for (let x = 0; x < w!; x++)
        for (let k = 0; k < c!; k++)
          out[((b * h! + y) * w! + x) * c! + k] = a[((b * c! + k) * h! + y) * w! + x]!;
  return out;
}

/** How many elements differ, and by at most how much. */
function compare(got: ArrayLike<number>, want: ArrayLike<number>) {
  assert.equal(got.length, want.length);
  let differ = 0;
  let max = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (d > 0) differ++;
    max = Math.max(max, d);
  }
  return { differ, max };
}

describe('ONNX export of quantized models (QDQ), run in ONNX Runtime', () => {
  it('static int8: every uint8 activation within one step of Keel, the logits close', async () => {
    setSeed(4);
    const model = new Sequential([
      new L.Conv2D(6, [3, 3], { activation: 'relu', padding: 'same', inputShape: [10, 10, 2] }),
      new L.MaxPooling2D([2, 2]),
      new L.Flatten(),
      new L.Dense(24, { activation: 'relu' }),
      new L.Dense(5),
    ]);
    const x = randomUniform([16, 10, 10, 2], -1, 1);
    const q = quantize(model, { mode: 'static', calibrationData: x });
    const { bytes, names } = withQuantizedOutputs(exportOnnx(q));
    const session = await ort.InferenceSession.create(bytes);
    const result = await session.run({
      [session.inputNames[0]!]: new ort.Tensor('float32', x.data as Float32Array, x.shape),
    });
    // Keel's integer activations, layer by layer.
    const [conv, pool, flat, fc1, fc2] = q.layers as any[];
    const keel = noGrad(() => {
      const x8 = quantizeLinear(x, conv.quant.inputScale, conv.quant.inputZeroPoint);
      const h0 = conv.apply(x) as Tensor;
      const h2 = flat.apply(pool.apply(h0)) as Tensor;
      const h3 = fc1.apply(h2) as Tensor;
      return { x8, h0, h2, h3, y: fc2.apply(h3) as Tensor };
    });
    // The QuantizeLinear nodes in order: conv input and output (NCHW), fc1 input and output,
    // fc2 input (fc1's output range again).
    const want = [keel.x8, keel.h0, keel.h2, keel.h3, keel.h3];
    assert.equal(names.length, want.length);
    names.forEach((name, i) => {
      const o = result[name]!;
      const got = o.dims.length === 4 ? nhwc(o.data as Uint8Array, o.dims) : (o.data as Uint8Array);
      const { differ, max } = compare(got, want[i]!.data);
      assert.ok(max <= 1, `${name}: off by ${max}`);
      assert.ok(differ <= want[i]!.size / 100, `${name}: ${differ} of ${want[i]!.size} differ`);
    });
    // The dequantized logits: equal up to float32 summation order where the inputs agree.
    const logits = result[session.outputNames[0]!]!.data as Float32Array;
    const { max } = compare(logits, keel.y.data);
    const scale = Math.max(...Array.from(keel.y.data, Math.abs));
    assert.ok(max <= 1e-3 * scale, `logits differ by ${max} (scale ${scale})`);
  });

  it('dynamic int8 (DynamicQuantizeLinear, MatMulInteger) matches Keel', async () => {
    setSeed(5);
    const model = new Sequential([
      new L.Dense(32, { activation: 'relu', inputShape: [20] }),
      new L.Dense(3, { activation: 'softmax' }),
    ]);
    const q = quantize(model, { mode: 'dynamic' });
    const x = randomUniform([9, 20], -2, 2);
    const session = await ort.InferenceSession.create(exportOnnx(q));
    const result = await session.run({
      [session.inputNames[0]!]: new ort.Tensor('float32', x.data as Float32Array, x.shape),
    });
    const { max } = compare(
      result[session.outputNames[0]!]!.data as Float32Array,
      (q.predict(x) as Tensor).data,
    );
    assert.ok(max <= 1e-5, `max error ${max}`);
  });
});
