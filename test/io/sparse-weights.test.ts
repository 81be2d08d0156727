import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  encodeModel,
  encodeModelFile,
  loadModelFromBytes,
} from '../../src/io/keel-format/model-file.js';
import { decodeSafetensors } from '../../src/io/safetensors-read.js';
import { encodeSafetensors } from '../../src/io/safetensors-writer.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { setSeed } from '../../src/random/rng.js';
import { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

/** An MLP whose first kernel is `zeros` zero (every 10th weight kept at 0.9), -0 included. */
function sparseModel(): Sequential {
  setSeed(4);
  const model = new Sequential([
    new Dense(300, { activation: 'relu', inputShape: [784], name: 'fc1' }),
    new Dense(10, { name: 'fc2' }),
  ]);
  const k = model.layers[0]!.weights[0]!.data;
  for (let i = 0; i < k.length; i++) if (i % 10 !== 0) k[i] = 0;
  k[1] = -0;
  return model;
}

const bytesOf = (chunks: Uint8Array[]) => new Uint8Array(Buffer.concat(chunks));
const bits = (d: ArrayLike<number>) => new Uint32Array(Float32Array.from(d).buffer);

describe('sparse weights in the Keel file', () => {
  it('stores a mostly-zero kernel sparse: smaller, and loads back bit for bit', () => {
    const model = sparseModel();
    const { entries, metadata } = encodeModel(model);
    const dense = bytesOf(encodeSafetensors(entries, metadata)).byteLength;
    const file = bytesOf(encodeModelFile(model));
    assert.ok(dense / file.byteLength > 5, `ratio ${dense / file.byteLength}`);
    const meta = decodeSafetensors(file).metadata;
    assert.equal(meta['format_version'], '2');
    // The bias is all zeros too, but small tensors stay dense.
    assert.deepEqual(JSON.parse(meta['sparse']!), { 'fc1/kernel': [784, 300] });
    const loaded = loadModelFromBytes(file);
    loaded.weights.forEach((w, i) => {
      assert.deepEqual(bits(w.data), bits(model.weights[i]!.data), w.name);
    });
    assert.ok(Object.is(loaded.weights[0]!.data[1], -0));
  });

  it('leaves dense models as before (format version 1, no sparse metadata)', () => {
    setSeed(4);
    const model = new Sequential([new Dense(8, { inputShape: [8] })]);
    const meta = decodeSafetensors(bytesOf(encodeModelFile(model))).metadata;
    assert.equal(meta['format_version'], '1');
    assert.equal(meta['sparse'], undefined);
  });

  it('rejects hostile sparse metadata with an error naming the weight', () => {
    const { tensors, metadata } = decodeSafetensors(bytesOf(encodeModelFile(sparseModel())));
    const load = (edit: (t: Map<string, Tensor>, m: Record<string, string>) => void) => {
      const t = new Map(tensors);
      const m = { ...metadata };
      edit(t, m);
      return () => loadModelFromBytes(bytesOf(encodeSafetensors([...t], m)), 'bad.keel');
    };
    const shape = (s: unknown) => (_: unknown, m: Record<string, string>) => {
      m['sparse'] = JSON.stringify({ 'fc1/kernel': s });
    };
    const cases: [ReturnType<typeof load>, RegExp][] = [
      [load(shape([784, 301])), /'fc1\/kernel'.*larger than its bitmap/],
      [load(shape([784, 299])), /'fc1\/kernel'.*needs a bitmap of 29302 bytes, got 29400/],
      [load(shape([784, -300])), /invalid dimension/],
      [load(shape('x')), /shape must be an array/],
      [load((_, m) => (m['sparse'] = '[1]')), /metadata 'sparse' must be an object/],
      [load((t) => t.delete('fc1/kernel@values')), /'fc1\/kernel'.*@values tensor is missing/],
      [
        load((t) => t.set('fc1/kernel', new Tensor(new Float32Array(1), [1], 'float32'))),
        /also holds it dense/,
      ],
      [
        load((t) =>
          t.set('fc1/kernel@bitmap', new Tensor(new Float32Array(29400), [29400], 'float32')),
        ),
        /@bitmap must be an int8 vector/,
      ],
      [
        load((t) => {
          const v = t.get('fc1/kernel@values')!;
          t.set('fc1/kernel@values', new Tensor(v.data.slice(1), [v.size - 1], 'float32'));
        }),
        /bitmap marks 23521 nonzeros, @values holds 23520/,
      ],
      [
        load((t, m) => {
          const b = new Int8Array(t.get('fc1/kernel@bitmap')!.data);
          b[b.length - 1]! |= -128;
          t.set('fc1/kernel@bitmap', new Tensor(b, [b.length], 'int8'));
          m['sparse'] = JSON.stringify({ 'fc1/kernel': [235199] });
        }),
        /bits set past element 235199/,
      ],
    ];
    for (const [run, message] of cases) {
      assert.throws(run, (e: Error) => {
        assert.match(e.message, message);
        return e.message.startsWith('bad.keel');
      });
    }
  });
});
