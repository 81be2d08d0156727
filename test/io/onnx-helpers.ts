import assert from 'node:assert/strict';
import * as ort from 'onnxruntime-node';
import { exportOnnx } from '../../src/io/onnx/export.js';
import type { Model } from '../../src/models/model.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** Max |Keel − ONNX Runtime| over the outputs of `model` on `xs`. */
export async function onnxError(model: Model, xs: Tensor[], opset = 17): Promise<number> {
  const session = await ort.InferenceSession.create(exportOnnx(model, { opset }));
  const feeds: Record<string, ort.Tensor> = {};
  session.inputNames.forEach((n, i) => {
    const x = xs[i]!;
    feeds[n] = new ort.Tensor(
      x.dtype === 'int32' ? 'int32' : 'float32',
      x.data as Float32Array,
      x.shape,
    );
  });
  const result = await session.run(feeds);
  const keel = model.predict(xs.length === 1 ? xs[0]! : xs);
  const outs = Array.isArray(keel) ? keel : [keel];
  let max = 0;
  session.outputNames.forEach((n, i) => {
    const o = result[n]!;
    assert.deepEqual([...o.dims], outs[i]!.shape, `output ${i} shape`);
    const a = o.data as Float32Array;
    const k = outs[i]!.data;
    for (let j = 0; j < k.length; j++) max = Math.max(max, Math.abs(a[j]! - k[j]!));
  });
  return max;
}
