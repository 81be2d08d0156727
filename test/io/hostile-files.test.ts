import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeModel, loadModelFromBytes } from '../../src/io/keel-format/model-file.js';
import { exportOnnx } from '../../src/io/onnx/export.js';
import { importOnnx } from '../../src/io/onnx/import.js';
import { decodeSafetensors } from '../../src/io/safetensors-read.js';
import { encodeSafetensors } from '../../src/io/safetensors-writer.js';
import { fromTfjsArtifacts } from '../../src/io/tfjs/tfjs-format.js';
import { Sequential } from '../../src/models/sequential.js';
import { Conv2D } from '../../src/nn/layers/conv2d.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import '../../src/backends/index.js';

const SOURCE = 'fuzz.keel';

function validFile(): Uint8Array {
  setSeed(9);
  const model = new Sequential([
    new Conv2D(2, [2, 2], { inputShape: [3, 3, 1] }),
    new Flatten(),
    new Dense(3, { activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
  model.trainOnBatch(randomUniform([2, 3, 3, 1]), randomUniform([2, 3]));
  const { entries, metadata } = encodeModel(model, { includeOptimizer: true });
  return new Uint8Array(Buffer.concat(encodeSafetensors(entries, metadata)));
}

/** A file with this header JSON (text) and data bytes. */
function fileWith(
  header: string,
  data: Uint8Array = new Uint8Array(0),
  length?: bigint,
): Uint8Array {
  const json = Buffer.from(header);
  const prefix = Buffer.alloc(8);
  prefix.writeBigUInt64LE(length ?? BigInt(json.length));
  return new Uint8Array(Buffer.concat([prefix, json, data]));
}

/** Loading either succeeds or throws an Error whose message names the file and what is wrong. */
function loadCleanly(bytes: Uint8Array): 'ok' | 'error' {
  try {
    loadModelFromBytes(bytes, SOURCE);
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof Error, `threw a non-Error: ${String(e)}`);
    assert.ok(e.message.includes(SOURCE), `error does not name the file: ${e.message}`);
    return 'error';
  }
}

describe('hostile files', () => {
  const valid = validFile();

  it('loads the valid file', () => {
    assert.equal(loadCleanly(valid), 'ok');
  });

  it('rejects truncated files, header lengths past the end and huge header lengths', () => {
    assert.throws(() => decodeSafetensors(valid.subarray(0, 5), SOURCE), /too short/);
    for (const n of [9, 100, valid.length - 1]) {
      assert.equal(loadCleanly(valid.subarray(0, n)), 'error');
    }
    assert.throws(
      () => decodeSafetensors(fileWith('{}', undefined, 2n ** 62n), SOURCE),
      /exceeds the limit/,
    );
    assert.throws(
      () => decodeSafetensors(fileWith('{}', undefined, 1000n), SOURCE),
      /runs past the end/,
    );
  });

  it('rejects bad offsets, overlaps, dtypes and shapes with messages naming the tensor', () => {
    const data = new Uint8Array(16);
    const cases: [string, RegExp][] = [
      ['{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,24]}}', /'a'.*outside the data/],
      ['{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,4]}}', /'a'.*outside the data/],
      [
        '{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}',
        /overlap/,
      ],
      ['{"a":{"dtype":"F64","shape":[2],"data_offsets":[0,16]}}', /'a'.*unsupported dtype/],
      ['{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}', /'a'.*needs 12 bytes/],
      ['{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,8]}}', /'a'.*invalid dimension/],
      [
        '{"a":{"dtype":"F32","shape":[100000,100000,100000],"data_offsets":[0,8]}}',
        /larger than the file/,
      ],
      ['{"a":{"dtype":"BOOL","shape":[16],"data_offsets":[0,16]}}', null as never],
      ['{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,1.5]}}', /data_offsets must be/],
      ['{"a":[1,2]}', /entry must be an object/],
      ['[1,2,3]', /header must be a JSON object/],
      ['{"__metadata__":{"x":1}}', /__metadata__ 'x' must be a string/],
      ['{"a":', /invalid JSON/],
    ];
    for (const [header, re] of cases) {
      if (re === null) {
        const bad = new Uint8Array(16).fill(7);
        assert.throws(() => decodeSafetensors(fileWith(header, bad), SOURCE), /bool data/);
      } else assert.throws(() => decodeSafetensors(fileWith(header, data), SOURCE), re, header);
    }
  });

  it('rejects deeply nested and oversized JSON before parsing it', () => {
    const deep = `{"__metadata__":{"x":"1"},"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    assert.throws(() => decodeSafetensors(fileWith(deep), SOURCE), /nested deeper than 128/);
    assert.throws(
      () =>
        decodeSafetensors(fileWith(`{"a":"${'x'.repeat(2000)}"}`), SOURCE, {
          maxHeaderBytes: 1000,
        }),
      /exceeds the limit/,
    );
    const meta = JSON.parse(
      Buffer.from(valid.subarray(8, 8 + Number(Buffer.from(valid).readBigUInt64LE(0)))).toString(),
    );
    meta.__metadata__.model = '['.repeat(10_000);
    assert.throws(
      () =>
        loadModelFromBytes(
          fileWith(
            JSON.stringify(meta),
            valid.subarray(8 + Number(Buffer.from(valid).readBigUInt64LE(0))),
          ),
          SOURCE,
        ),
      /metadata .model.: JSON nested deeper/,
    );
  });

  it('rejects unknown layer classes and configs that would allocate without bound', () => {
    const header = JSON.parse(
      Buffer.from(valid.subarray(8, 8 + Number(Buffer.from(valid).readBigUInt64LE(0)))).toString(),
    );
    const data = valid.subarray(8 + Number(Buffer.from(valid).readBigUInt64LE(0)));
    const withModel = (f: (s: string) => string) => {
      const h = structuredClone(header);
      h.__metadata__.model = f(h.__metadata__.model);
      return fileWith(JSON.stringify(h), data);
    };
    assert.throws(
      () =>
        loadModelFromBytes(
          withModel((s) => s.replace('"Dense"', '"Evil"')),
          SOURCE,
        ),
      /Unknown layer class 'Evil'/,
    );
    assert.throws(
      () =>
        loadModelFromBytes(
          withModel((s) => s.replace('"units":3', '"units":1000000000')),
          SOURCE,
        ),
      /exceeds the \d+ elements the file being loaded allows/,
    );
  });

  it('never executes code named by a file: prototype keys, Lambda code and function strings', () => {
    const header = JSON.parse(
      Buffer.from(valid.subarray(8, 8 + Number(Buffer.from(valid).readBigUInt64LE(0)))).toString(),
    );
    const data = valid.subarray(8 + Number(Buffer.from(valid).readBigUInt64LE(0)));
    const g = globalThis as { keelPwned?: boolean };
    const code = 'globalThis.keelPwned = true';
    const swaps: [string, string][] = [
      ['"Dense"', '"constructor"'],
      ['"Dense"', '"__proto__"'],
      ['"Dense"', '"toString"'],
      ['"Dense"', '"Lambda"'],
      ['"softmax"', JSON.stringify(code)],
      ['"softmax"', '"constructor"'],
      ['"softmax"', '"__proto__"'],
      ['"units":3', `"units":3,"function":${JSON.stringify(code)},"__proto__":{"units":9}`],
    ];
    for (const [from, to] of swaps) {
      const h = structuredClone(header);
      assert.ok(h.__metadata__.model.includes(from), from);
      h.__metadata__.model = h.__metadata__.model.replace(from, to);
      try {
        loadModelFromBytes(fileWith(JSON.stringify(h), data), SOURCE);
      } catch (e) {
        assert.ok(e instanceof Error && e.message.length > 0, String(e));
      }
      assert.equal(g.keelPwned, undefined, `${from} → ${to} ran code`);
    }
    for (const className of ['constructor', '__proto__', 'Lambda', 'hasOwnProperty']) {
      const modelTopology = {
        class_name: 'Sequential',
        config: {
          layers: [
            {
              class_name: className,
              config: { function: code, batch_input_shape: [null, 2], name: 'x' },
            },
          ],
        },
      };
      assert.throws(
        () =>
          fromTfjsArtifacts(
            { modelTopology, weightSpecs: [], weightData: new ArrayBuffer(0) },
            'evil.json',
          ),
        /evil.json: cannot (rebuild the|load this) model/,
      );
      assert.equal(g.keelPwned, undefined, `tfjs ${className} ran code`);
    }
    // Nothing in the loaders can turn text into code.
    const dirs = [
      'src/io',
      'src/io/onnx',
      'src/io/tfjs',
      'src/io/keel-format',
      'src/io/checkpoint',
    ];
    for (const d of dirs)
      for (const f of readdirSync(d).filter((n) => n.endsWith('.ts'))) {
        const text = readFileSync(join(d, f), 'utf8');
        assert.ok(!/\beval\(|new Function\(|\bimport\(\s*[^'"]/.test(text), `${d}/${f}`);
      }
  });

  it('survives thousands of random mutations: a clean load or a clear error each time', () => {
    const headerLength = Number(Buffer.from(valid).readBigUInt64LE(0));
    let runs = 0;
    const outcomes = { ok: 0, error: 0 };
    const byteEdit = fc.record({
      at: fc.nat({ max: valid.length - 1 }),
      value: fc.integer({ min: 0, max: 255 }),
    });
    // Mutations aimed at the header (where structure lives) and anywhere, plus truncation and splicing.
    const mutation = fc.oneof(
      fc
        .array(byteEdit, { minLength: 1, maxLength: 4 })
        .map((edits) => ({ kind: 'bytes' as const, edits })),
      fc
        .array(
          fc.record({
            at: fc.integer({ min: 8, max: 8 + headerLength - 1 }),
            value: fc.constantFrom(
              ...'0123456789[]{}",:-.eE '.split('').map((c) => c.charCodeAt(0)),
            ),
          }),
          { minLength: 1, maxLength: 3 },
        )
        .map((edits) => ({ kind: 'bytes' as const, edits })),
      fc.nat({ max: valid.length }).map((n) => ({ kind: 'truncate' as const, n })),
      fc
        .record({ at: fc.nat({ max: valid.length }), bytes: fc.uint8Array({ maxLength: 16 }) })
        .map((r) => ({ kind: 'insert' as const, ...r })),
      fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map((len) => ({ kind: 'length' as const, len })),
    );
    fc.assert(
      fc.property(mutation, (m) => {
        let bytes: Uint8Array;
        if (m.kind === 'bytes') {
          bytes = valid.slice();
          for (const e of m.edits) bytes[e.at] = e.value;
        } else if (m.kind === 'truncate') bytes = valid.slice(0, m.n);
        else if (m.kind === 'insert')
          bytes = new Uint8Array(
            Buffer.concat([valid.subarray(0, m.at), m.bytes, valid.subarray(m.at)]),
          );
        else {
          bytes = valid.slice();
          Buffer.from(bytes.buffer).writeBigUInt64LE(m.len, 0);
        }
        runs++;
        outcomes[loadCleanly(bytes)]++;
      }),
      { numRuns: 10_000, seed: Number(process.env['KEEL_FUZZ_SEED'] ?? 42) },
    );
    assert.equal(runs, 10_000);
    assert.ok(outcomes.error > 5000 && outcomes.ok > 10, JSON.stringify(outcomes));
    console.log(
      `fuzz: ${runs} mutated files, ${outcomes.ok} loaded, ${outcomes.error} clean errors`,
    );
  });

  it('ONNX import survives random mutations of an exported model: a model or a clear error', () => {
    setSeed(10);
    const model = new Sequential([
      new Conv2D(2, [2, 2], { inputShape: [4, 4, 1], activation: 'relu' }),
      new Flatten(),
      new Dense(3, { activation: 'softmax' }),
    ]);
    const onnx = exportOnnx(model);
    const outcomes = { ok: 0, error: 0 };
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat({ max: onnx.length - 1 }),
            value: fc.integer({ min: 0, max: 255 }),
          }),
          {
            minLength: 1,
            maxLength: 3,
          },
        ),
        fc.nat({ max: onnx.length }),
        (edits, cut) => {
          const bytes = cut % 4 === 0 ? onnx.slice(0, cut) : onnx.slice();
          for (const e of edits) if (e.at < bytes.length) bytes[e.at] = e.value;
          try {
            importOnnx(bytes, 'fuzz.onnx');
            outcomes.ok++;
          } catch (e) {
            assert.ok(e instanceof Error && e.message.includes('fuzz.onnx'), String(e));
            outcomes.error++;
          }
        },
      ),
      { numRuns: 2000, seed: Number(process.env['KEEL_FUZZ_SEED'] ?? 7) },
    );
    console.log(
      `onnx fuzz: 2000 mutated files, ${outcomes.ok} imported, ${outcomes.error} clean errors`,
    );
    assert.ok(outcomes.error > 100 && outcomes.ok > 100, JSON.stringify(outcomes));
  });

  it('ONNX import survives mutations of a PyTorch Transformer export (attention matcher)', () => {
    const onnx = new Uint8Array(
      readFileSync(join(import.meta.dirname, 'fixtures', 'torch', 'encoder_post_norm_gelu.onnx')),
    );
    const outcomes = { ok: 0, error: 0 };
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.nat({ max: onnx.length - 1 }),
            value: fc.integer({ min: 0, max: 255 }),
          }),
          { minLength: 1, maxLength: 3 },
        ),
        (edits) => {
          const bytes = onnx.slice();
          for (const e of edits) bytes[e.at] = e.value;
          try {
            importOnnx(bytes, 'fuzz.onnx');
            outcomes.ok++;
          } catch (e) {
            assert.ok(e instanceof Error && e.message.includes('fuzz.onnx'), String(e));
            outcomes.error++;
          }
        },
      ),
      { numRuns: 400, seed: Number(process.env['KEEL_FUZZ_SEED'] ?? 8) },
    );
    console.log(
      `onnx fuzz (PyTorch encoder): 400 mutated files, ${outcomes.ok} imported, ${outcomes.error} clean errors`,
    );
    assert.ok(outcomes.error > 20 && outcomes.ok > 20, JSON.stringify(outcomes));
  });
});
