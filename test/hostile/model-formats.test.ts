/**
 * Hand-built hostile TensorFlow.js and ONNX models go through the same load budget as Keel files
 * (maxActivationBytes) and fail cleanly, each in a child process with a memory cap: a declared
 * shape of 2^40 elements, a Reshape to a huge shape, folded constants of 2^30 elements, an
 * initializer whose dims disagree with its data, a cycle, a missing producer, 10^6 nodes and deep
 * nesting within a time limit. The TypeScript kernels' scratch arrays are checked against the
 * budget too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { projectInputs } from '../../src/backends/ts/kernels/rnn-common.js';
import { OnnxBuilder } from '../../src/io/onnx/builder.js';
import { ModelProto } from '../../src/io/onnx/schema.js';
import { withAllocationBudget } from '../../src/tensor/allocation-budget.js';
import { expectError, expectValue, runCases } from './child.js';

const info = (name: string, dims: (number | string)[]) => ({
  name,
  type: {
    tensorType: {
      elemType: 1,
      shape: {
        dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
      },
    },
  },
});

/** An ONNX model from a builder's nodes and initializers, x -> y. */
function onnxBytes(b: OnnxBuilder, y: string, xDims: (number | string)[] = ['b', 4]): number[] {
  const graph = {
    node: b.nodes,
    initializer: b.initializers,
    input: [info('x', xDims)],
    output: [info(y, ['b'])],
  };
  const model = ModelProto.fromObject({ irVersion: 8, opsetImport: [{ version: 17 }], graph });
  return Array.from(ModelProto.encode(model).finish());
}

/** A length-delimited protobuf field. */
function field(num: number, body: Uint8Array): Uint8Array {
  const len: number[] = [];
  let n = body.length;
  do {
    len.push((n & 0x7f) | (n > 0x7f ? 0x80 : 0));
    n >>>= 7;
  } while (n > 0);
  return Uint8Array.from([(num << 3) | 2, ...len, ...body]);
}

/** A tfjs Sequential topology of `layers` (tfjs's snake_case config) and no weights. */
function tfjsArtifacts(layers: object[]): string {
  const modelTopology = {
    class_name: 'Sequential',
    config: { name: 'seq', layers },
    keras_version: 'tfjs-layers 4.0.0',
    backend: 'tensor_flow.js',
  };
  return JSON.stringify({ modelTopology, weightSpecs: [], weightData: [] });
}

const tfjsLoad = (artifacts: string, options = '{}') => `
  const a = JSON.parse(${JSON.stringify(artifacts)});
  a.weightData = new ArrayBuffer(0);
  return T.fromTfjsArtifacts(a, 'hostile-tfjs', ${options}).outputs[0].shape;`;

const onnxLoad = (bytes: number[], options = '{}') =>
  `return O.importOnnx(Uint8Array.from(${JSON.stringify(bytes)}), 'hostile.onnx', ${options}).outputs[0].shape;`;

const SETUP = `
  const T = await import(SRC + '/io/tfjs/tfjs-format.ts');
  const O = await import(SRC + '/io/onnx/import.ts');
  await import(SRC + '/backends/index.ts');`;

describe('hostile TensorFlow.js and ONNX models under the load budget', () => {
  it('tfjs: declared gigabytes load symbolically in bounded memory; a huge Dense or Reshape is a clean error', async () => {
    const input = (shape: (number | null)[]) => ({ batch_input_shape: shape, dtype: 'float32' });
    const results = await runCases(
      {
        padding: tfjsLoad(
          tfjsArtifacts([
            { class_name: 'ZeroPadding2D', config: { padding: 20000, ...input([null, 4, 4, 1]) } },
          ]),
        ),
        hugeInput: tfjsLoad(
          tfjsArtifacts([
            { class_name: 'ZeroPadding1D', config: { padding: 1, ...input([null, 2 ** 40, 1]) } },
          ]),
        ),
        hugeDense: tfjsLoad(
          tfjsArtifacts([{ class_name: 'Dense', config: { units: 2 ** 31, ...input([null, 4]) } }]),
        ),
        hugeReshape: tfjsLoad(
          tfjsArtifacts([
            {
              class_name: 'Reshape',
              config: { target_shape: [2 ** 20, 2 ** 20], ...input([null, 4]) },
            },
          ]),
        ),
        budgetOption: tfjsLoad(
          tfjsArtifacts([
            { class_name: 'ZeroPadding2D', config: { padding: 256, ...input([null, 4, 4, 1]) } },
          ]),
          '{ maxActivationBytes: -5 }',
        ),
        fits: tfjsLoad(
          tfjsArtifacts([
            { class_name: 'ZeroPadding2D', config: { padding: 256, ...input([null, 4, 4, 1]) } },
          ]),
        ),
      },
      { setup: SETUP, maxMiB: 1024, timeoutMs: 120_000 },
    );
    // Shapes are inferred symbolically (no layer dry-runs), so declared gigabytes cost nothing.
    assert.deepEqual(expectValue(results, 'padding').value, [null, 40004, 40004, 1]);
    assert.deepEqual(expectValue(results, 'hugeInput').value, [null, 2 ** 40 + 2, 1]);
    expectError(results, 'hugeDense', /hostile-tfjs: .*kernel.*the file being loaded allows/);
    expectError(results, 'hugeReshape', /hostile-tfjs: .*Reshape.*cannot reshape/);
    expectError(results, 'budgetOption', /hostile-tfjs: maxActivationBytes must be >= 0, got -5/);
    assert.deepEqual(expectValue(results, 'fits').value, [null, 516, 516, 1]);
    for (const o of results.values()) assert.ok(o.rssMiB < 1024, `${o.name}: ${o.rssMiB} MiB`);
  });

  it('ONNX: huge shapes, bad initializers, cycles and missing producers are clean errors', async () => {
    const b = () => new OnnxBuilder();
    const reshape = b();
    const rz = reshape.op('Relu', [
      reshape.op('Reshape', ['x', reshape.int64s('s', [-1, 2 ** 20, 2 ** 20])]),
    ]);
    const softmax = b();
    const sm = softmax.op('Softmax', ['x']);
    const pool = b();
    const gp = pool.op('GlobalAveragePool', ['x']);
    const constant = b();
    const cs = constant.op('Add', [
      'x',
      constant.op('ConstantOfShape', [constant.int64s('s', [2 ** 15, 2 ** 15])]),
    ]);
    const folded = b();
    const fo = folded.op('Add', [
      'x',
      folded.op('ConstantOfShape', [folded.int64s('s', [300, 300])]),
    ]);
    const mismatch = b();
    mismatch.floats('w', [1, 2, 3], [1000, 1000]);
    const mm = mismatch.op('Relu', ['x']);
    const noData = b();
    noData.initializers.push({ name: 'w', dims: [2 ** 20, 2 ** 20], dataType: 1 });
    const nd = noData.op('Relu', ['x']);
    const twice = b();
    twice.floats('w', [1], [1]);
    twice.initializers.push({ ...twice.initializers[0]! });
    const tw = twice.op('Relu', ['x']);
    const cycle = b();
    cycle.node('Relu', ['b_out'], {}, ['a_out']);
    cycle.node('Relu', ['a_out'], {}, ['b_out']);
    const missing = b();
    const ms = missing.op('Relu', ['nowhere']);
    const results = await runCases(
      {
        reshape: onnxLoad(onnxBytes(reshape, rz)),
        hugeInputSoftmax: onnxLoad(onnxBytes(softmax, sm, ['b', 2 ** 20, 2 ** 20])),
        hugeInputPool: onnxLoad(onnxBytes(pool, gp, ['b', 2 ** 14, 2 ** 13, 2 ** 13])),
        constantOfShape: onnxLoad(onnxBytes(constant, cs)),
        mismatch: onnxLoad(onnxBytes(mismatch, mm)),
        noData: onnxLoad(onnxBytes(noData, nd)),
        twice: onnxLoad(onnxBytes(twice, tw)),
        cycle: onnxLoad(onnxBytes(cycle, 'b_out')),
        missing: onnxLoad(onnxBytes(missing, ms)),
        foldedOverBudget: onnxLoad(onnxBytes(folded, fo), '{ maxActivationBytes: 1000 }'),
        foldedInBudget: onnxLoad(onnxBytes(folded, fo)),
        badBudget: onnxLoad(onnxBytes(softmax, sm), '{ maxActivationBytes: -1 }'),
      },
      { setup: SETUP, maxMiB: 1024, timeoutMs: 120_000 },
    );
    expectError(results, 'reshape', /hostile\.onnx: node 0 .*\(Reshape\): .*cannot reshape/);
    assert.deepEqual(expectValue(results, 'hugeInputSoftmax').value, [null, 2 ** 20, 2 ** 20]);
    expectValue(results, 'hugeInputPool');
    expectError(results, 'constantOfShape', /hostile\.onnx: .*ConstantOfShape.*too large/);
    expectError(
      results,
      'foldedOverBudget',
      /hostile\.onnx: node 0 .*\(ConstantOfShape\): the folded constant .* of shape \[300,300\] needs 360000 bytes, more than the \d+ bytes left .*maxActivationBytes/,
    );
    expectError(results, 'foldedInBudget', /Add with a constant is only supported after MatMul/);
    expectError(
      results,
      'mismatch',
      /initializer 'w': raw_data has 12 bytes, dims \[1000,1000\] need 4000000/,
    );
    expectError(results, 'noData', /initializer 'w': holds 0 values, dims \[1048576,1048576\]/);
    expectError(results, 'twice', /hostile\.onnx: initializer 'w' is given twice/);
    expectError(results, 'cycle', /value 'b_out' is not produced by any earlier node/);
    expectError(results, 'missing', /value 'nowhere' is not produced by any earlier node/);
    expectError(results, 'badBudget', /maxActivationBytes must be >= 0, got -1/);
    for (const o of results.values()) assert.ok(o.rssMiB < 1024, `${o.name}: ${o.rssMiB} MiB`);
  });

  it('ONNX: 10^6 nodes and 10^5-deep nesting are refused quickly', async () => {
    const many = new OnnxBuilder();
    let v = 'x';
    for (let i = 0; i < 1e6; i++) {
      many.nodes.push({ opType: 'Relu', input: [v], output: [`v${i}`] });
      v = `v${i}`;
    }
    const dir = mkdtempSync(join(tmpdir(), 'keel-hostile-onnx-'));
    const manyPath = join(dir, 'many.onnx');
    writeFileSync(manyPath, Uint8Array.from(onnxBytes(many, v)));
    const fromFile = (options = '{}') =>
      `return O.importOnnx(readFileSync(${JSON.stringify(manyPath)}), 'hostile.onnx', ${options});`;
    // Graph -> node -> attribute (If's then_branch) -> graph ..., written inside out.
    let g: Uint8Array = new Uint8Array(0);
    for (let i = 0; i < 2000; i++) g = field(1, field(5, field(6, g)));
    const deep = Array.from(field(7, g));
    const results = await runCases(
      {
        million: fromFile(),
        millionCapped: fromFile('{ maxNodes: 10 }'),
        deep: onnxLoad(deep),
      },
      {
        setup: `${SETUP}\nconst { readFileSync } = await import('node:fs');`,
        maxMiB: 1200,
        heapMiB: 1024,
        timeoutMs: 120_000,
      },
    ).finally(() => rmSync(dir, { recursive: true, force: true }));
    const o = expectError(
      results,
      'million',
      /the graph has 1000000 nodes, more than maxNodes=100000/,
    );
    assert.ok(o.cpuMs < 20_000, `refusing 10^6 nodes took ${o.cpuMs} ms of CPU`);
    expectError(results, 'millionCapped', /more than maxNodes=10 /);
    const d = expectError(
      results,
      'deep',
      /hostile\.onnx: not a valid ONNX model \(max depth exceeded\)/,
    );
    assert.ok(d.cpuMs < 5_000, `deep nesting took ${d.cpuMs} ms of CPU`);
  });

  it("the TypeScript kernels' scratch is checked against the budget", () => {
    const x = new Float32Array(4);
    const kernel = new Float32Array(4 * 8);
    const bias = new Float32Array(8);
    assert.equal(projectInputs(x, kernel, bias, 0, 1, 4, 8).length, 8);
    assert.throws(
      () => withAllocationBudget(16, () => projectInputs(x, kernel, bias, 0, 1, 4, 8)),
      /projected inputs \[1, 8\] needs 32 bytes of scratch, more than the 16 bytes left .*maxActivationBytes/,
    );
  });
});
