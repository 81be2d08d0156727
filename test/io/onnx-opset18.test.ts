/**
 * ONNX graphs PyTorch 1.13 cannot write, built with Keel's OnnxBuilder: the operators whose
 * signature changed at opset 18 (ReduceMean/ReduceMax/ReduceSum axes as an input, Split's
 * num_outputs, Resize's antialias/keep_aspect_ratio_policy/axes, Pad's axes input), a
 * tf2onnx-style graph (NHWC input transposed to NCHW, Conv auto_pad SAME_UPPER, Relu6 as Clip with
 * min/max inputs, Reshape to [-1, n], MatMul + Add instead of Gemm), a Reshape of an initializer,
 * and QDQ pairs with uint8 and int8 zero points. Each import is checked against ONNX Runtime.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as ort from 'onnxruntime-node';
import { float, OnnxBuilder } from '../../src/io/onnx/builder.js';
import { importOnnx } from '../../src/io/onnx/import.js';
import { ModelProto } from '../../src/io/onnx/schema.js';
import { Model } from '../../src/models/model.js';
import type { SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { ThresholdedReLU } from '../../src/nn/layers/thresholded-relu.js';
import { UpSampling2D } from '../../src/nn/layers/upsampling2d.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { onnxError } from './onnx-helpers.js';
import '../../src/backends/index.js';

/** Seeded values in [-0.5, 0.5), for weights. */
function values(n: number, seed: number): Float32Array {
  let s = seed * 7919 + 1;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648 - 0.5;
  });
}

/** A model from the builder's nodes: one float input (batch dynamic), one output. */
function encode(
  b: OnnxBuilder,
  input: number[],
  output: string | string[],
  opset: number,
): Uint8Array {
  const info = (name: string, dims: (number | null)[]) => ({
    name,
    type: {
      tensorType: {
        elemType: 1,
        shape: { dim: dims.map((d) => (d === null ? { dimParam: 'batch' } : { dimValue: d })) },
      },
    },
  });
  return ModelProto.encode(
    ModelProto.fromObject({
      irVersion: 8,
      opsetImport: [{ version: opset }],
      graph: {
        name: 'g',
        node: b.nodes,
        initializer: b.initializers,
        input: [info('x', [null, ...input])],
        output: (Array.isArray(output) ? output : [output]).map((name) => ({ name })),
      },
    }),
  ).finish();
}

/** Keel's import against ONNX Runtime on a random batch of 3; returns the Keel layer classes. */
async function check(bytes: Uint8Array, file: string, input: number[], tol = 1e-4) {
  const model = importOnnx(bytes, file);
  const shape = [3, ...input];
  const x = randomUniform(shape, -1, 1);
  const session = await ort.InferenceSession.create(bytes);
  const feed = new ort.Tensor('float32', x.data as Float32Array, shape);
  const want = (await session.run({ x: feed }))[session.outputNames[0]!]!;
  const got = model.predict(x) as Tensor;
  assert.deepEqual([...got.shape], [...want.dims], `${file}: output shape`);
  const w = want.data as Float32Array;
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(got.data[i]! - w[i]!));
  assert.ok(max <= tol, `${file}: max abs error ${max}`);
  return model.layers.map((l) => (l.constructor as { className?: string }).className);
}

/** Conv(in → out, k, pads) on NCHW with seeded weights. */
function conv(b: OnnxBuilder, x: string, cin: number, cout: number, k: number, attrs = {}) {
  const w = b.floats('w', values(cout * cin * k * k, cout + k), [cout, cin, k, k]);
  const bias = b.floats('b', values(cout, cin), [cout]);
  return b.op('Conv', [x, w, bias], { kernel_shape: [k, k], ...attrs });
}

describe('ONNX opset 18 signatures, checked against ONNX Runtime', () => {
  it('ReduceMean, ReduceMax and ReduceSum with their axes as an input (and noop_with_empty_axes)', async () => {
    setSeed(1);
    for (const op of ['ReduceMean', 'ReduceMax', 'ReduceSum']) {
      const b = new OnnxBuilder(18);
      const c = b.op('Relu', [conv(b, 'x', 3, 4, 3, { pads: [1, 1, 1, 1] })]);
      const pooled = b.op(op, [c, b.int64s('axes', [2, -1])], { keepdims: 0 });
      const w = b.floats('fc', values(4 * 2, 9), [4, 2]);
      const y = b.op('Gemm', [pooled, w, b.floats('fcb', [0.1, -0.2], [2])]);
      const classes = await check(encode(b, [3, 5, 6], y, 18), `${op}18.onnx`, [3, 5, 6]);
      assert.ok(
        classes.includes(op === 'ReduceMax' ? 'GlobalMaxPooling2D' : 'GlobalAveragePooling2D'),
      );
    }
    // keepdims 1 over a sequence's time axis, and an empty axes input with noop_with_empty_axes.
    const b = new OnnxBuilder(18);
    const seq = b.op('Transpose', [b.op('Relu', ['x'])], { perm: [0, 2, 1] });
    const m = b.op('ReduceMax', [seq, b.int64s('axes', [2])], { keepdims: 1 });
    const noop = b.op('ReduceSum', [m, b.int64s('none', [])], { noop_with_empty_axes: 1 });
    const y = b.op('Flatten', [noop]);
    await check(encode(b, [7, 4], y, 18), 'reduce_keepdims18.onnx', [7, 4]);
  });

  it('Split with num_outputs (uneven: the last part smaller)', async () => {
    setSeed(2);
    const b = new OnnxBuilder(18);
    const h = b.op('Gemm', ['x', b.floats('w', values(6 * 7, 3), [6, 7])]);
    const [p, q, r] = b.node('Split', [h], { axis: 1, num_outputs: 3 }, 3) as [
      string,
      string,
      string,
    ];
    const y = b.op('Concat', [b.op('Mul', [p, q]), r, b.op('Tanh', [p])], { axis: 1 });
    const classes = await check(encode(b, [6], y, 18), 'split18.onnx', [6]);
    assert.ok(classes.includes('Slice'));
  });

  it('Resize with antialias, keep_aspect_ratio_policy and axes; linear with asymmetric coordinates', async () => {
    setSeed(3);
    const cases: [string, Record<string, unknown>, (b: OnnxBuilder) => string[]][] = [
      [
        'scales',
        { mode: 'linear', antialias: 1, coordinate_transformation_mode: 'half_pixel' },
        (b) => ['', b.floats('scales', [1, 1, 2, 3], [4])],
      ],
      [
        'sizes_axes',
        {
          mode: 'nearest',
          keep_aspect_ratio_policy: 'not_larger',
          axes: [2, 3],
          nearest_mode: 'floor',
          coordinate_transformation_mode: 'asymmetric',
        },
        (b) => ['', '', b.int64s('sizes', [6, 9])],
      ],
      [
        'asymmetric_linear',
        { mode: 'linear', coordinate_transformation_mode: 'asymmetric' },
        (b) => ['', b.floats('scales', [1, 1, 2, 2], [4])],
      ],
    ];
    for (const [name, attrs, extra] of cases) {
      const b = new OnnxBuilder(18);
      const c = conv(b, 'x', 2, 3, 1);
      const up = b.op('Resize', [c, ...extra(b)], attrs as Record<string, never>);
      const y = conv(b, up, 3, 2, 3);
      const classes = await check(encode(b, [2, 3, 4], y, 18), `resize_${name}18.onnx`, [2, 3, 4]);
      assert.ok(classes.includes('UpSampling2D'), name);
    }
  });

  it('Pad with an axes input', async () => {
    setSeed(4);
    const b = new OnnxBuilder(18);
    const padded = b.op('Pad', [
      'x',
      b.int64s('pads', [1, 0, 2, 1]),
      '',
      b.int64s('axes', [2, -1]),
    ]);
    const y = conv(b, padded, 2, 3, 3, { strides: [2, 2] });
    const classes = await check(encode(b, [2, 5, 6], y, 18), 'pad18.onnx', [2, 5, 6]);
    assert.ok(classes.includes('ZeroPadding2D'));
  });
});

describe('graphs as other exporters write them, checked against ONNX Runtime', () => {
  it('a tf2onnx-style CNN: NHWC input, Transpose, Conv auto_pad SAME_UPPER, Clip(min, max) as Relu6, Reshape [-1, n], MatMul + Add', async () => {
    setSeed(5);
    const b = new OnnxBuilder(13);
    const nchw = b.op('Transpose', ['x'], { perm: [0, 3, 1, 2] });
    const c1 = conv(b, nchw, 3, 4, 3, { auto_pad: 'SAME_UPPER', strides: [2, 2] });
    const relu6 = b.op('Clip', [c1, b.floats('min', [0], []), b.floats('max', [6], [])]);
    const c2 = conv(b, relu6, 4, 4, 3, { auto_pad: 'SAME_UPPER' });
    const nhwc = b.op('Transpose', [b.op('Relu', [c2])], { perm: [0, 2, 3, 1] });
    const flat = b.op('Reshape', [nhwc, b.int64s('shape', [-1, 4 * 4 * 4])]);
    const mm = b.op('MatMul', [flat, b.floats('w', values(64 * 5, 6), [64, 5])]);
    const logits = b.op('Add', [mm, b.floats('b', values(5, 7), [5])]);
    const y = b.op('Softmax', [logits], { axis: -1 });
    const classes = await check(encode(b, [8, 7, 3], y, 13), 'tf2onnx.onnx', [8, 7, 3]);
    assert.ok(classes.includes('Conv2D') && classes.includes('Dense'));
  });

  it('ConvTranspose with auto_pad SAME_UPPER, SAME_LOWER or an output_shape (tf2onnx Conv2DTranspose)', async () => {
    setSeed(10);
    for (const attrs of [
      { auto_pad: 'SAME_UPPER' },
      { auto_pad: 'SAME_LOWER' },
      { output_shape: [10, 12] },
      { output_shape: [11, 12], output_padding: [1, 1] },
    ] as Record<string, string | number[]>[]) {
      const b = new OnnxBuilder(13);
      const w = b.floats('w', values(3 * 2 * 9, 12), [3, 2, 3, 3]);
      const bias = b.floats('b', values(2, 13), [2]);
      const y = b.op('ConvTranspose', ['x', w, bias], {
        kernel_shape: [3, 3],
        strides: [2, 2],
        ...attrs,
      });
      const file = `convT_${Object.keys(attrs).join('_')}.onnx`;
      const classes = await check(encode(b, [3, 5, 6], y, 13), file, [3, 5, 6]);
      assert.ok(classes.includes('Conv2DTranspose'), file);
    }
  });

  it('a Reshape whose data input is an initializer (a weight stored flat), LeakyRelu alpha 0.01', async () => {
    setSeed(6);
    const b = new OnnxBuilder(13);
    const flat = b.floats('w_flat', values(6 * 4, 8), [24]);
    const w = b.op('Reshape', [flat, b.int64s('shape', [6, 4])]);
    const h = b.op('Add', [b.op('MatMul', ['x', w]), b.floats('b', values(4, 9), [4])]);
    const y = b.op('LeakyRelu', [h], { alpha: float(0.01) });
    await check(encode(b, [6], y, 13), 'reshape_init.onnx', [6]);
  });

  it('QDQ pairs with a uint8 activation zero point and an int8 weight with a non-zero zero point', async () => {
    setSeed(7);
    const b = new OnnxBuilder(13);
    const s = b.floats('s', [0.02], []);
    const zp = b.ints('zp', new Uint8Array([128]), []);
    const q = b.op('QuantizeLinear', ['x', s, zp]);
    const xq = b.op('DequantizeLinear', [q, s, zp]);
    const wq = b.ints(
      'wq',
      Int8Array.from(values(6 * 3, 10), (v) => Math.round(v * 200)),
      [6, 3],
    );
    const w = b.op('DequantizeLinear', [
      wq,
      b.floats('ws', [0.01], []),
      b.ints('wz', new Int8Array([3]), []),
    ]);
    const y = b.op('MatMul', [xq, w]);
    await check(encode(b, [6], y, 13), 'qdq_zero_points.onnx', [6], 1e-4);
  });

  it('imports ThresholdedRelu (alpha) as ThresholdedReLU, and exports the layer back', async () => {
    setSeed(9);
    const b = new OnnxBuilder(13);
    const h = b.op('Gemm', ['x', b.floats('w', values(5 * 4, 11), [5, 4])]);
    const y = b.op('ThresholdedRelu', [h], { alpha: float(0.05) });
    const classes = await check(encode(b, [5], y, 13), 'thresholded.onnx', [5]);
    assert.ok(classes.includes('ThresholdedReLU'));
    const x = Input({ shape: [6] });
    const model = new Model({
      inputs: x,
      outputs: new ThresholdedReLU({ theta: 0.3 }).apply(x) as SymbolicTensor,
    });
    for (const opset of [17, 18]) {
      const err = await onnxError(model, [randomUniform([4, 6], -1, 1)], opset);
      assert.ok(err <= 1e-6, `opset ${opset}: max error ${err}`);
    }
  });

  it("exports tfjs's bilinear UpSampling2D (no half-pixel centers) as Resize with asymmetric coordinates", async () => {
    setSeed(8);
    const x = Input({ shape: [3, 4, 2] });
    const up = new UpSampling2D({
      size: [2, 3],
      interpolation: 'bilinear',
      halfPixelCenters: false,
    });
    const model = new Model({ inputs: x, outputs: up.apply(x) as SymbolicTensor });
    const err = await onnxError(model, [randomUniform([2, 3, 4, 2], -1, 1)]);
    assert.ok(err <= 1e-5, `max error ${err}`);
  });
});

describe('ONNX import refusals', () => {
  it('reports every node Keel cannot convert in one error, not the nodes that only read a refused one', () => {
    const b = new OnnxBuilder(18);
    const grouped = b.op('Conv', ['x', b.floats('wg', values(4 * 2 * 9, 1), [4, 2, 3, 3])], {
      kernel_shape: [3, 3],
      group: 2,
    });
    const afterGrouped = b.op('Relu', [grouped]);
    const sumAll = b.op('ReduceSum', ['x', b.int64s('none', [])]);
    const fit = b.op('Resize', ['x', '', '', b.int64s('sizes', [12, 12])], {
      axes: [2, 3],
      keep_aspect_ratio_policy: 'fit',
    });
    const cos = b.op('Sin', [b.op('Cos', ['x'])]);
    const reflect = b.op('Pad', ['x', b.int64s('pads', [0, 0, 1, 1, 0, 0, 1, 1])], {
      mode: 'reflect',
    });
    const bytes = encode(b, [4, 6, 6], [afterGrouped, sumAll, fit, cos, reflect], 18);
    assert.throws(
      () => importOnnx(bytes, 'many18.onnx'),
      (e: Error) => {
        const m = e.message;
        assert.ok(m.startsWith('many18.onnx: cannot import this model; 5 unsupported item(s):'), m);
        assert.match(m, /node 0 'node_Conv' \(Conv\): grouped convolutions are not supported/);
        assert.match(
          m,
          /\(ReduceSum\): reducing over every axis \(no axes given\) is not supported/,
        );
        assert.match(m, /\(Resize\): keep_aspect_ratio_policy 'fit' is not supported/);
        assert.match(
          m,
          /\(Cos\): operator Cos is not supported by loadOnnx; the graph's unsupported operators: Cos \(1 node: 'node_Cos'\), Sin \(1 node: 'node_Sin'\)/,
        );
        assert.match(m, /\(Pad\): mode 'reflect' is not supported/);
        assert.doesNotMatch(m, /\(Relu\)/);
        return true;
      },
    );
  });
});
