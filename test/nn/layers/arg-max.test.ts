import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { loadModel } from '../../../src/io/keel-format/model-file.js';
import { exportOnnx } from '../../../src/io/onnx/export.js';
import { Sequential } from '../../../src/models/sequential.js';
import { ArgMax } from '../../../src/nn/layers/arg-max.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { deserializeLayer, serializeLayer } from '../../../src/nn/layers/registry.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { rand } from '../../helpers.js';
import '../../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-argmax-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('ArgMax', () => {
  it('gives the int32 index of the largest value, with or without the axis kept', () => {
    const x = tensor([
      [1, 5, 2],
      [7, 0, 7],
    ]);
    const y = new ArgMax().apply(x) as Tensor;
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(Array.from(y.data), [1, 0]);
    const k = new ArgMax({ axis: 1, keepdims: true }).apply(x) as Tensor;
    assert.deepEqual(k.shape, [2, 1]);
    const x3 = rand([2, 3, 4], 1);
    assert.deepEqual((new ArgMax({ axis: 1 }).apply(x3) as Tensor).shape, [2, 4]);
    assert.deepEqual(new ArgMax({ axis: 1 }).computeOutputShape([null, 3, 4]), [null, 4]);
  });

  it('round-trips its config and refuses the batch axis and axes out of range', () => {
    const layer = new ArgMax({ axis: -2, keepdims: true, name: 'am' });
    const back = deserializeLayer(serializeLayer(layer)) as ArgMax;
    assert.equal(back.axis, -2);
    assert.equal(back.keepdims, true);
    assert.throws(
      () => new ArgMax({ axis: 0, name: 'a0' }).apply(rand([2, 3])),
      /ArgMax 'a0': axis 0 is the batch axis/,
    );
    assert.throws(
      () => new ArgMax({ axis: 3, name: 'a3' }).apply(rand([2, 3])),
      /ArgMax 'a3': expected input a rank that has axis 3/,
    );
    assert.throws(() => new ArgMax({ axis: 1.5 }), /ArgMax: axis must be an integer, got 1.5/);
  });

  it('saves and loads inside a model, and exports to ONNX that ONNX Runtime runs alike', async () => {
    const model = new Sequential([new Dense(5, { inputShape: [4] }), new ArgMax()]);
    const x = rand([6, 4], 2);
    const want = Array.from((model.predict(x) as Tensor).data);
    const file = join(dir, 'm.keel');
    model.save(file);
    assert.deepEqual(Array.from((loadModel(file).predict(x) as Tensor).data), want);
    const session = await ort.InferenceSession.create(exportOnnx(model));
    const out = await session.run({
      [session.inputNames[0]!]: new ort.Tensor('float32', x.data as Float32Array, [6, 4]),
    });
    assert.deepEqual(Array.from(out[session.outputNames[0]!]!.data as Int32Array), want);
  });
});
