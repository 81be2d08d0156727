import { Tensor } from '../../tensor/tensor.js';
import { permute } from './builder.js';
import {
  channelsFirst,
  type ImportContext,
  intAttr,
  intsAttr,
  type NodeImporter,
} from './import-context.js';
import { padding } from './import-layers.js';
import { ONNX_DTYPE, type OnnxNode } from './schema.js';

/** The grid of a quantized value: its scale, zero point and integer range. */
interface Grid {
  scale: number;
  zeroPoint: number;
  min: number;
  max: number;
}

/**
 * Quantized values of the graph being imported. Keel holds each as the float tensor of its
 * dequantized values (a FakeQuantize layer's output), so DequantizeLinear only aliases it.
 */
const grids = new WeakMap<ImportContext, Map<string, Grid>>();
const gridsOf = (c: ImportContext) => {
  let m = grids.get(c);
  if (!m) grids.set(c, (m = new Map()));
  return m;
};

/** A per-tensor scale input: one finite positive float. */
function scalarScale(c: ImportContext, node: OnnxNode, i: number, what: string): number {
  const t = c.constant(node.input[i], what);
  const v = t.data[0]!;
  if (t.size !== 1 || !(Number.isFinite(v) && v > 0))
    throw new Error(`${what} must be one finite positive value (per tensor), got ${t.size} values`);
  return v;
}

/** A zero-point input (absent: 0 on uint8) and the grid its dtype gives. */
function zeroPoint(c: ImportContext, node: OnnxNode, i: number, what: string) {
  const t = node.input[i] ? c.constant(node.input[i], what) : null;
  if (t && t.size !== 1) throw new Error(`${what} must be one value (per tensor), got ${t.size}`);
  const int8 = t?.dtype === 'int8';
  if (t && t.dtype !== 'int8' && t.dtype !== 'uint8')
    throw new Error(`${what} must be int8 or uint8, got ${t.dtype}`);
  return { zeroPoint: t ? t.data[0]! : 0, min: int8 ? -128 : 0, max: int8 ? 127 : 255 };
}

/** A FakeQuantize layer on a computed tensor; the output is recorded as quantized on `grid`. */
function quantizeTo(
  c: ImportContext,
  x: ReturnType<ImportContext['tensor']>,
  out: string,
  g: Grid,
) {
  const t = c.apply(
    'FakeQuantize',
    { scale: g.scale, zeroPoint: g.zeroPoint, quantMin: g.min, quantMax: g.max },
    [x.t],
  );
  c.set(out, { t, perm: x.perm });
  gridsOf(c).set(out, g);
}

/** The quantized input `i` of `node` (a QuantizeLinear or integer op output) and its grid. */
function quantizedInput(c: ImportContext, node: OnnxNode, i: number) {
  const g = gridsOf(c).get(node.input[i] ?? '');
  if (!g)
    throw new Error(
      `input ${i} ('${node.input[i]}') must come from QuantizeLinear or another integer operator`,
    );
  return { x: c.tensor(node.input[i]), grid: g };
}

/** Dequantizes a constant: (q − zeroPoint) · scale, per tensor or per channel along `axis`. */
function dequantizeConstant(q: Tensor, scale: Tensor, zero: Tensor | null, axis: number): Tensor {
  const r = q.rank;
  const a = axis < 0 ? axis + r : axis;
  const per = scale.size > 1;
  const n = per ? q.shape[a]! : 1;
  if (per && scale.size !== n)
    throw new Error(`${scale.size} scales for axis ${a} of [${q.shape}] (${n} channels)`);
  const inner = per ? q.shape.slice(a + 1).reduce((x, y) => x * y, 1) : 1;
  const out = new Float32Array(q.size);
  for (let k = 0; k < q.size; k++) {
    const ch = per ? Math.floor(k / inner) % n : 0;
    const z = zero ? zero.data[zero.size > 1 ? ch : 0]! : 0;
    out[k] = Math.fround((q.data[k]! - z) * scale.data[ch]!);
  }
  return new Tensor(out, [...q.shape], 'float32');
}

const quantizeLinear: NodeImporter = (c, node) => {
  if (node.input[1] && c.constant(node.input[1], 'y_scale').size > 1)
    throw new Error('per-channel (axis) quantization of activations is not supported');
  const scale = scalarScale(c, node, 1, 'y_scale');
  quantizeTo(c, c.tensor(node.input[0]), node.output[0]!, {
    scale,
    ...zeroPoint(c, node, 2, 'y_zero_point'),
  });
};

/** DequantizeLinear of a quantized tensor aliases it; of a constant (weights), folds it. */
const dequantizeLinear: NodeImporter = (c, node) => {
  const v = c.value(node.input[0]);
  if (v.kind === 'const') {
    const zero = node.input[2] ? c.constant(node.input[2], 'x_zero_point') : null;
    const t = dequantizeConstant(
      v.tensor,
      c.constant(node.input[1], 'x_scale'),
      zero,
      intAttr(node, 'axis', 1),
    );
    c.setValue(node.output[0]!, { kind: 'const', tensor: t });
    return;
  }
  const { x } = quantizedInput(c, node, 0);
  c.set(node.output[0]!, x);
};

/** An int8 weight with zero point 0 can run on Keel's int8 layers; anything else runs in float. */
function int8Weight(c: ImportContext, node: OnnxNode, wi: number, zi: number): boolean {
  const w = c.constant(node.input[wi], 'the weight');
  const z = node.input[zi] ? c.constant(node.input[zi], 'the weight zero point') : null;
  return w.dtype === 'int8' && (!z || Array.from(z.data).every((v) => v === 0));
}

/**
 * QLinearMatMul (uint8 x int8 weight [in, out]) → QuantizedDense (static, its input grid) then
 * FakeQuantize onto the output grid; a weight of another form → Dense with the dequantized weight.
 */
const qlinearMatMul: NodeImporter = (c, node) => {
  const { x, grid } = quantizedInput(c, node, 0);
  const w = c.constant(node.input[3], 'b');
  if (w.rank !== 2) throw new Error(`only a 2-D weight is supported, b [${w.shape}]`);
  const bs = c.constant(node.input[4], 'b_scale');
  if (bs.size !== 1 && bs.size !== w.shape[1])
    throw new Error(`b_scale has ${bs.size} values for b [${w.shape}]`);
  const scales = Float32Array.from(
    { length: w.shape[1]! },
    (_, j) => bs.data[bs.size > 1 ? j : 0]!,
  );
  const xin = c.realize(x);
  const units = w.shape[1]!;
  const y = int8Weight(c, node, 3, 5)
    ? c.apply(
        'QuantizedDense',
        { units, useBias: false, inputScale: grid.scale, inputZeroPoint: grid.zeroPoint },
        [xin],
        [w, new Tensor(scales, [units], 'float32')],
      )
    : c.apply(
        'Dense',
        { units, useBias: false },
        [xin],
        [
          dequantizeConstant(
            w,
            bs,
            node.input[5] ? c.constant(node.input[5], 'b_zero_point') : null,
            1,
          ),
        ],
      );
  const out = {
    scale: scalarScale(c, node, 6, 'y_scale'),
    ...zeroPoint(c, node, 7, 'y_zero_point'),
  };
  quantizeTo(c, { t: y, perm: null }, node.output[0]!, out);
};

/** Refuses attributes Keel's convolutions cannot express, naming them. */
function checkConvAttrs(node: OnnxNode): void {
  const group = intAttr(node, 'group', 1);
  if (group !== 1) throw new Error(`attribute group=${group} is not supported (only 1)`);
  const known = new Set(['auto_pad', 'dilations', 'group', 'kernel_shape', 'pads', 'strides']);
  for (const a of node.attribute ?? [])
    if (!known.has(a.name)) throw new Error(`attribute '${a.name}' is not supported`);
}

/**
 * QLinearConv (2-D, uint8 input, int8 per-channel weights with zero point 0, int32 bias) →
 * QuantizedConv2D (static, its input grid; bias = B · x_scale · w_scale) then FakeQuantize onto
 * the output grid.
 */
const qlinearConv: NodeImporter = (c, node) => {
  checkConvAttrs(node);
  const { x, grid } = quantizedInput(c, node, 0);
  const w = c.constant(node.input[3], 'w');
  if (w.rank !== 4) throw new Error(`only 2-D convolutions are supported, w [${w.shape}]`);
  if (!int8Weight(c, node, 3, 5))
    throw new Error('only int8 weights with zero point 0 are supported (w, w_zero_point)');
  const filters = w.shape[0]!;
  const ws = c.constant(node.input[4], 'w_scale');
  if (ws.size !== 1 && ws.size !== filters)
    throw new Error(`w_scale has ${ws.size} values for ${filters} filters`);
  const scales = Float32Array.from({ length: filters }, (_, j) => ws.data[ws.size > 1 ? j : 0]!);
  const kernelSize = w.shape.slice(2);
  const strides = intsAttr(node, 'strides', [1, 1]);
  const dilationRate = intsAttr(node, 'dilations', [1, 1]);
  const pad = padding(node, kernelSize, strides, dilationRate);
  const p = permute(w.data as unknown as Float32Array, w.shape, [2, 3, 1, 0]);
  const kernel = new Tensor(Int8Array.from(p.data), p.shape, 'int8');
  const b = node.input[8] ? c.constant(node.input[8], 'B') : null;
  const bias = b
    ? Float32Array.from(scales, (s, j) => Math.fround(b.data[j]! * grid.scale * s))
    : null;
  const y = c.apply(
    'QuantizedConv2D',
    {
      filters,
      kernelSize,
      strides,
      dilationRate,
      padding: pad,
      useBias: bias !== null,
      inputScale: grid.scale,
      inputZeroPoint: grid.zeroPoint,
    },
    [c.inLayout(x, channelsFirst(4))],
    [
      kernel,
      new Tensor(scales, [filters], 'float32'),
      ...(bias ? [new Tensor(bias, [filters], 'float32')] : []),
    ],
  );
  const out = {
    scale: scalarScale(c, node, 6, 'y_scale'),
    ...zeroPoint(c, node, 7, 'y_zero_point'),
  };
  quantizeTo(c, { t: y, perm: channelsFirst(4) }, node.output[0]!, out);
};

/** DynamicQuantizeLinear's outputs → the float input they quantize, read by MatMulInteger. */
const dynamicInputs = new WeakMap<
  ImportContext,
  Map<string, { x: string; scale: string; zero: string }>
>();

const dynamicQuantizeLinear: NodeImporter = (c, node) => {
  c.tensor(node.input[0]);
  let m = dynamicInputs.get(c);
  if (!m) dynamicInputs.set(c, (m = new Map()));
  const [y, scale, zero] = node.output as [string, string, string];
  m.set(y, { x: node.input[0]!, scale, zero });
};

const DYNAMIC_PATTERN =
  'DynamicQuantizeLinear → MatMulInteger (int8 weight, zero point 0) → Cast(float) → Mul(x scale) → Mul(weight scale) [→ Add(bias)]';

/** The constant operand of a binary node whose other operand is `from`, or null. */
function otherOperand(node: OnnxNode, from: string) {
  const other =
    node.input[0] === from ? node.input[1] : node.input[1] === from ? node.input[0] : null;
  return other ?? null;
}

/**
 * MatMulInteger on a DynamicQuantizeLinear output, dequantized by Cast → Mul → Mul (ONNX Runtime's
 * dynamic quantization) → one QuantizedDense in dynamic mode (its input ranged per batch).
 */
const matMulInteger: NodeImporter = (c, node) => {
  const dyn = dynamicInputs.get(c)?.get(node.input[0] ?? '');
  const fail = (why: string) => new Error(`${why}; supported: ${DYNAMIC_PATTERN}`);
  if (!dyn || node.input[2] !== dyn.zero)
    throw fail("input a must be DynamicQuantizeLinear's output with its zero point");
  if (!int8Weight(c, node, 1, 3)) throw fail('b must be an int8 constant with zero point 0');
  const w = c.constant(node.input[1], 'b');
  if (w.rank !== 2) throw fail(`b must be 2-D, got [${w.shape}]`);
  const units = w.shape[1]!;
  const cast = c.onlyConsumer(node.output[0]!, 'Cast');
  if (cast === null) throw fail('the accumulators must go to one Cast');
  const castOut = c.nodes[cast]!.output[0]!;
  const mul1 = c.onlyConsumer(castOut, 'Mul');
  if (mul1 === null || otherOperand(c.nodes[mul1]!, castOut) !== dyn.scale)
    throw fail("the Cast must be multiplied by DynamicQuantizeLinear's scale");
  const mul1Out = c.nodes[mul1]!.output[0]!;
  const mul2 = c.onlyConsumer(mul1Out, 'Mul');
  const wsName = mul2 === null ? null : otherOperand(c.nodes[mul2]!, mul1Out);
  if (mul2 === null || !wsName) throw fail('then by the weight scale');
  const ws = c.constant(wsName, 'the weight scale');
  if (ws.size !== 1 && ws.size !== units)
    throw fail(`the weight scale has ${ws.size} values for ${units} outputs`);
  let last = c.nodes[mul2]!.output[0]!;
  const skipped = [cast, mul1, mul2];
  let bias: Tensor | null = null;
  const add = c.onlyConsumer(last, 'Add');
  if (add !== null) {
    const bName = otherOperand(c.nodes[add]!, last);
    const b = bName ? c.values.get(bName) : undefined;
    if (b?.kind === 'const' && b.tensor.size === units && b.tensor.dtype === 'float32') {
      bias = new Tensor(Float32Array.from(b.tensor.data), [units], 'float32');
      skipped.push(add);
      last = c.nodes[add]!.output[0]!;
    }
  }
  const scales = Float32Array.from({ length: units }, (_, j) => ws.data[ws.size > 1 ? j : 0]!);
  const y = c.apply(
    'QuantizedDense',
    { units, useBias: bias !== null },
    [c.realize(c.tensor(dyn.x))],
    [w, new Tensor(scales, [units], 'float32'), ...(bias ? [bias] : [])],
  );
  for (const i of skipped) c.skip(i);
  c.set(last, { t: y, perm: null });
};

/**
 * A Cast of a quantized value to its own integer type (PyTorch's QDQ export casts each
 * QuantizeLinear output to uint8) aliases it; returns false for any other Cast.
 */
export function castQuantized(c: ImportContext, node: OnnxNode): boolean {
  const g = gridsOf(c).get(node.input[0] ?? '');
  if (!g) return false;
  const to = intAttr(node, 'to', 0);
  if (to !== (g.min < 0 ? ONNX_DTYPE.INT8 : ONNX_DTYPE.UINT8))
    throw new Error(`Cast of a quantized value to type ${to} is not supported`);
  c.set(node.output[0]!, c.tensor(node.input[0]));
  gridsOf(c).set(node.output[0]!, g);
  return true;
}

/** The int8 operators (issue 12): QDQ pairs, QLinearMatMul/Conv, dynamic MatMulInteger. */
export const INT8_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  QuantizeLinear: quantizeLinear,
  DequantizeLinear: dequantizeLinear,
  QLinearMatMul: qlinearMatMul,
  QLinearConv: qlinearConv,
  DynamicQuantizeLinear: dynamicQuantizeLinear,
  MatMulInteger: matMulInteger,
};
