/**
 * Silent misreads by repetition: where names must be unique (a safetensors/Keel header, a tfjs
 * model.json and its manifest, a tokenizer vocabulary, CSV column names), a repeated name is an
 * error naming it, never "the last one wins"; manifest weights no layer uses and weight data the
 * manifest does not describe are errors too, and so is an ONNX Gemm bias whose length does not
 * match the units (it used to be read past its end, giving NaN).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Dataset } from '../../src/data/dataset/index.js';
import { importOnnx } from '../../src/io/onnx/import.js';
import { ModelProto } from '../../src/io/onnx/schema.js';
import { decodeSafetensors } from '../../src/io/safetensors-read.js';
import {
  fromTfjsArtifacts,
  loadTfjsModel,
  toTfjsArtifacts,
} from '../../src/io/tfjs/tfjs-format.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { BytePairTokenizer } from '../../src/text/byte-pair-tokenizer.js';
import { parseJsonGuarded } from '../../src/utils/json-guard.js';
import '../../src/backends/index.js';

function safetensors(header: string, data: Uint8Array): Uint8Array {
  const json = Buffer.from(header);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(BigInt(json.length));
  return new Uint8Array(Buffer.concat([prefix, json, data]));
}

describe('hostile: silent misreads (duplicate and unused names, wrong lengths)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-dup-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the guarded JSON parser rejects a repeated key with uniqueKeys, at any depth', () => {
    assert.throws(
      () => parseJsonGuarded('{"a": 1, "b": {"x": 1, "x" : 2}}', 'f.json', { uniqueKeys: true }),
      /f\.json: duplicate key "x"/,
    );
    // The same key in sibling objects, in arrays, or as a string value is fine.
    const ok = parseJsonGuarded('{"a": [{"x": 1}, {"x": 2}], "b": "a", "c": {"a": "a"}}', 'f', {
      uniqueKeys: true,
    });
    assert.deepEqual(ok, { a: [{ x: 1 }, { x: 2 }], b: 'a', c: { a: 'a' } });
    // Escaped spellings of one key are one key.
    assert.throws(
      () => parseJsonGuarded('{"ab": 1, "a\\u0062": 2}', 'f', { uniqueKeys: true }),
      /duplicate key "ab"/,
    );
    assert.deepEqual(parseJsonGuarded('{"a": 1, "a": 2}', 'f'), { a: 2 }, 'off by default');
  });

  it('a safetensors (Keel) header naming a tensor twice is refused', () => {
    const entry = '{"dtype":"F32","shape":[1],"data_offsets":[0,4]}';
    const bytes = safetensors(`{"w":${entry},"w":${entry}}`, new Uint8Array(4));
    assert.throws(() => decodeSafetensors(bytes, 'm.keel'), /m\.keel header: duplicate key "w"/);
  });

  it('tfjs: a weight named twice, an unused weight and undescribed data are refused', () => {
    const model = new Sequential([new Dense(2, { inputShape: [3], name: 'd' })]);
    const art = toTfjsArtifacts(model);
    const [k, b] = art.weightSpecs;
    const data = new Uint8Array(art.weightData);
    assert.throws(
      () => fromTfjsArtifacts({ ...art, weightSpecs: [k!, { ...b!, name: k!.name }] }, 'm.json'),
      /m\.json: the manifest names weight 'd\/kernel' twice/,
    );
    const extra = new Uint8Array(data.byteLength + 8);
    extra.set(data);
    const withUnused = [k!, b!, { name: 'stray', shape: [2], dtype: 'float32' as const }];
    assert.throws(
      () => fromTfjsArtifacts({ ...art, weightSpecs: withUnused, weightData: extra.buffer }, 'm'),
      /'stray' belong to no weight of the model/,
    );
    assert.throws(
      () => fromTfjsArtifacts({ ...art, weightData: extra.buffer }, 'm'),
      /m: the weight data holds \d+ bytes, the manifest describes \d+/,
    );
    const json = join(dir, 'model.json');
    writeFileSync(json, '{"modelTopology": {}, "modelTopology": {}, "weightsManifest": []}');
    assert.throws(() => loadTfjsModel(json), /duplicate key "modelTopology"/);
  });

  it('a tokenizer vocabulary naming a token twice is refused', () => {
    const vocab = join(dir, 'vocab.json');
    const merges = join(dir, 'merges.txt');
    writeFileSync(vocab, '{"a": 0, "b": 1, "a": 2}');
    writeFileSync(merges, '#version: 0.2\n');
    assert.throws(() => BytePairTokenizer.fromFiles(vocab, merges), /duplicate key "a"/);
  });

  it('CSV column names that repeat are refused with both positions', async () => {
    const file = join(dir, 'dup.csv');
    writeFileSync(file, 'a,b,a\n1,2,3\n');
    await assert.rejects(
      Dataset.csv(file).toArray(),
      /dup\.csv: column name 'a' appears twice, at columns 1 and 3/,
    );
    await assert.rejects(
      Dataset.csv(file, { header: ['x', 'y', 'x'] }).toArray(),
      /column name 'x' appears twice, at columns 1 and 3/,
    );
  });

  it('an ONNX Gemm bias of the wrong length is refused (PyTorch fixture, bias cut to 7 of 10)', () => {
    const bytes = readFileSync('test/io/fixtures/torch/cnn.onnx');
    const model = ModelProto.decode(bytes) as unknown as {
      graph: { initializer: { name: string; dims: number[]; rawData: Uint8Array }[] };
    };
    assert.ok(
      importOnnx(new Uint8Array(bytes), 'cnn.onnx').weights.length > 0,
      'the fixture loads',
    );
    const bias = model.graph.initializer.find((t) => t.name === '4.bias')!;
    bias.dims = [7];
    bias.rawData = bias.rawData.subarray(0, 28);
    const cut = ModelProto.encode(model as never).finish();
    assert.throws(
      () => importOnnx(cut, 'cut.onnx'),
      /cut\.onnx.*Gemm's bias C has shape \[7\], expected \[10\] or \[1\] for 10 units/s,
    );
  });
});
