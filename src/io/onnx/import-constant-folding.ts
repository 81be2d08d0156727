import { chargeAllocation } from '../../tensor/allocation-budget.js';
import { Tensor } from '../../tensor/tensor.js';
import { initializerTensor } from './decode.js';
import { type ImportContext, intAttr, intsAttr } from './import-context.js';
import { ONNX_DTYPE, type OnnxNode } from './schema.js';

/** A small host array: values, dims and whether it holds integers. */
interface Arr {
  data: number[];
  dims: number[];
  int: boolean;
}

const sizeOf = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const strides = (dims: readonly number[]) => dims.map((_, i) => sizeOf(dims.slice(i + 1)));

/** An input as a host array: a constant, or a shape vector whose every entry is known. */
function host(c: ImportContext, name: string | undefined): Arr | null {
  const v = name ? c.values.get(name) : undefined;
  if (v?.kind === 'const')
    return {
      data: Array.from(v.tensor.data, Number),
      dims: [...v.tensor.shape],
      int: v.tensor.dtype !== 'float32',
    };
  if (v?.kind === 'shape' && v.dims.every((d) => d !== null))
    return { data: v.dims as number[], dims: v.scalar ? [] : [v.dims.length], int: true };
  return null;
}

/** Elementwise a op b with NumPy broadcasting. */
function binary(a: Arr, b: Arr, f: (x: number, y: number) => number): Arr {
  const r = Math.max(a.dims.length, b.dims.length);
  const pad = (d: number[]) => [...Array(r - d.length).fill(1), ...d];
  const da = pad(a.dims);
  const db = pad(b.dims);
  const dims = da.map((x, i) => {
    const y = db[i]!;
    if (x !== y && x !== 1 && y !== 1)
      throw new Error(`cannot broadcast [${a.dims}] with [${b.dims}]`);
    return Math.max(x, y);
  });
  const [sa, sb, so] = [strides(da), strides(db), strides(dims)];
  const data = Array.from({ length: sizeOf(dims) }, (_, k) => {
    let ia = 0;
    let ib = 0;
    for (let i = 0; i < r; i++) {
      const j = Math.floor(k / so[i]!) % dims[i]!;
      if (da[i] !== 1) ia += j * sa[i]!;
      if (db[i] !== 1) ib += j * sb[i]!;
    }
    return f(a.data[ia]!, b.data[ib]!);
  });
  return { data, dims, int: a.int && b.int };
}

/** The [start, end) bounds ONNX Slice clamps to an axis of length n (step 1 or -1 not needed here). */
function sliceBounds(start: number, end: number, n: number): [number, number] {
  const clamp = (v: number) => Math.min(n, Math.max(0, v < 0 ? v + n : v));
  return [clamp(start), clamp(end)];
}

/** Slice's starts/ends/axes/steps: attributes before opset 10, inputs from 10 on. */
export function sliceParams(
  c: ImportContext,
  node: OnnxNode,
  rank: number,
): { starts: number[]; ends: number[]; axes: number[]; steps: number[] } {
  const list = (i: number, what: string) => {
    const name = node.input[i];
    return name ? Array.from(c.constant(name, `the ${what}`).data, Number) : null;
  };
  const starts = list(1, 'starts') ?? intsAttr(node, 'starts', []);
  const ends = list(2, 'ends') ?? intsAttr(node, 'ends', []);
  const axes = (
    list(3, 'axes') ??
    intsAttr(
      node,
      'axes',
      starts.map((_, i) => i),
    )
  ).map((a) => (a < 0 ? a + rank : a));
  const steps = list(4, 'steps') ?? starts.map(() => 1);
  if (
    starts.length !== ends.length ||
    axes.length !== starts.length ||
    steps.length !== starts.length
  )
    throw new Error(
      `starts [${starts}], ends [${ends}], axes [${axes}] and steps [${steps}] differ in length`,
    );
  return { starts, ends, axes, steps };
}

type Folder = (c: ImportContext, node: OnnxNode, xs: Arr[]) => Arr;

const FOLDERS: ReadonlyMap<string, Folder> = new Map<string, Folder>([
  ['Identity', (_c, _n, [x]) => x!],
  ['Add', (_c, _n, [a, b]) => binary(a!, b!, (x, y) => x + y)],
  ['Sub', (_c, _n, [a, b]) => binary(a!, b!, (x, y) => x - y)],
  ['Mul', (_c, _n, [a, b]) => binary(a!, b!, (x, y) => x * y)],
  [
    'Div',
    (_c, _n, [a, b]) => {
      const int = a!.int && b!.int;
      return binary(a!, b!, (x, y) => (int ? Math.trunc(x / y) : x / y));
    },
  ],
  ['Neg', (_c, _n, [x]) => ({ ...x!, data: x!.data.map((v) => -v) })],
  [
    'Cast',
    (_c, node, [x]) => {
      const to = intAttr(node, 'to', ONNX_DTYPE.FLOAT);
      const int = to !== ONNX_DTYPE.FLOAT && to !== ONNX_DTYPE.DOUBLE;
      return { ...x!, int, data: int ? x!.data.map(Math.trunc) : x!.data };
    },
  ],
  [
    'ConstantOfShape',
    (c, node, [shape]) => {
      const t = node.attribute?.find((a) => a.name === 'value')?.t;
      const v = t ? initializerTensor({ ...t, name: node.output[0]! }, c.source) : null;
      const dims = shape!.data;
      if (sizeOf(dims) > 1 << 20) throw new Error(`ConstantOfShape of [${dims}] is too large`);
      return {
        data: new Array(sizeOf(dims)).fill(v ? v.data[0]! : 0),
        dims,
        int: v ? v.dtype !== 'float32' : false,
      };
    },
  ],
  [
    'Concat',
    (_c, node, xs) => {
      const axis = intAttr(node, 'axis', 0);
      if (xs.some((x) => x.dims.length !== 1) || (axis !== 0 && axis !== -1))
        throw new Error('only constant 1-D vectors are concatenated at import');
      return {
        data: xs.flatMap((x) => x.data),
        dims: [xs.reduce((n, x) => n + x.data.length, 0)],
        int: xs.every((x) => x.int),
      };
    },
  ],
  [
    'Reshape',
    (_c, _n, [x, s]) => {
      const dims = s!.data.map((d, i) => (d === 0 ? x!.dims[i]! : d));
      const known = sizeOf(dims.filter((d) => d !== -1));
      const full = dims.map((d) => (d === -1 ? x!.data.length / known : d));
      if (sizeOf(full) !== x!.data.length || !full.every(Number.isInteger))
        throw new Error(`cannot reshape [${x!.dims}] to [${s!.data}]`);
      return { ...x!, dims: full };
    },
  ],
  [
    'Unsqueeze',
    (_c, node, [x, a]) => {
      const axes = a ? a.data : intsAttr(node, 'axes', []);
      const r = x!.dims.length + axes.length;
      const dims = [...x!.dims];
      for (const ax of axes.map((v) => (v < 0 ? v + r : v)).sort((p, q) => p - q))
        dims.splice(ax, 0, 1);
      return { ...x!, dims };
    },
  ],
  [
    'Squeeze',
    (_c, node, [x, a]) => {
      const r = x!.dims.length;
      const axes = (a ? a.data : intsAttr(node, 'axes', [])).map((v) => (v < 0 ? v + r : v));
      const dims = x!.dims.filter((d, i) => (axes.length ? !axes.includes(i) : d !== 1));
      return { ...x!, dims };
    },
  ],
  [
    'Transpose',
    (_c, node, [x]) => {
      const r = x!.dims.length;
      const perm = intsAttr(
        node,
        'perm',
        x!.dims.map((_, i) => r - 1 - i),
      );
      const dims = perm.map((p) => x!.dims[p]!);
      const [si, so] = [strides(x!.dims), strides(dims)];
      const data = Array.from({ length: x!.data.length }, (_, k) => {
        let src = 0;
        for (let i = 0; i < r; i++) src += (Math.floor(k / so[i]!) % dims[i]!) * si[perm[i]!]!;
        return x!.data[src]!;
      });
      return { ...x!, data, dims };
    },
  ],
  [
    'Slice',
    (c, node, [x]) => {
      const { starts, ends, axes, steps } = sliceParams(c, node, x!.dims.length);
      let cur = x!;
      axes.forEach((axis, i) => {
        const n = cur.dims[axis]!;
        const step = steps[i]!;
        const idx: number[] = [];
        if (step > 0) {
          const [s, e] = sliceBounds(starts[i]!, ends[i]!, n);
          for (let j = s; j < e; j += step) idx.push(j);
        } else if (step < 0) {
          const clamp = (v: number, lo: number) => Math.min(n - 1, Math.max(lo, v < 0 ? v + n : v));
          for (let j = clamp(starts[i]!, -1); j > clamp(ends[i]!, -1); j += step) idx.push(j);
        } else throw new Error('a Slice step of 0');
        cur = gatherAxis(cur, axis, idx);
      });
      return cur;
    },
  ],
  [
    'Gather',
    (_c, node, [x, ind]) => {
      const r = x!.dims.length;
      const axis = intAttr(node, 'axis', 0);
      const a = axis < 0 ? axis + r : axis;
      const n = x!.dims[a]!;
      const idx = ind!.data.map((i) => {
        if (i < -n || i >= n)
          throw new Error(`index ${i} is out of range for axis ${a} of [${x!.dims}]`);
        return i < 0 ? i + n : i;
      });
      const g = gatherAxis(x!, a, idx);
      return { ...g, dims: [...x!.dims.slice(0, a), ...ind!.dims, ...x!.dims.slice(a + 1)] };
    },
  ],
]);

/** Picks entries `idx` along `axis`. */
function gatherAxis(x: Arr, axis: number, idx: number[]): Arr {
  const outer = sizeOf(x.dims.slice(0, axis));
  const inner = sizeOf(x.dims.slice(axis + 1));
  const n = x.dims[axis]!;
  const data: number[] = [];
  for (let o = 0; o < outer; o++)
    for (const j of idx)
      for (let k = 0; k < inner; k++) data.push(x.data[(o * n + j) * inner + k]!);
  return { ...x, data, dims: x.dims.map((d, i) => (i === axis ? idx.length : d)) };
}

/** Op types that are only ever evaluated at import (on constants), never converted to layers. */
export const FOLDED_OPS: ReadonlySet<string> = new Set([...FOLDERS.keys(), 'Shape']);

/**
 * Evaluates `node` at import when every input is a constant or a fully known shape vector (the
 * pads, scales and split sizes PyTorch computes with ConstantOfShape/Concat/Reshape/Slice/
 * Transpose/Cast chains, and arithmetic on static dimensions), binding its output as a constant.
 * Returns false when it cannot (a computed input, an op it does not fold).
 */
export function foldConstant(c: ImportContext, node: OnnxNode): boolean {
  const f = FOLDERS.get(node.opType);
  if (!f || (node.domain && node.domain !== 'ai.onnx') || node.output.length !== 1) return false;
  const names = node.input.filter((n) => !!n);
  if (names.length === 0) return false;
  const xs = names.map((n) => host(c, n));
  if (xs.some((x) => x === null)) return false;
  const out = f(c, node, xs as Arr[]);
  if (out.data.length > 1 << 20) return false;
  // Folded constants are kept for the whole import: many of them add up, so each is charged.
  chargeAllocation(
    out.data.length * 4,
    `the folded constant '${node.output[0]}' of shape [${out.dims}]`,
  );
  const data = out.int ? Int32Array.from(out.data) : Float32Array.from(out.data);
  c.setValue(node.output[0]!, {
    kind: 'const',
    tensor: new Tensor(data, out.dims, out.int ? 'int32' : 'float32'),
  });
  return true;
}
