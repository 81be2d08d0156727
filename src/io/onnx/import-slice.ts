import type { SymbolicTensor } from '../../nn/engine/symbolic-tensor.js';
import { sliceParams } from './import-constant-folding.js';
import {
  type ImportContext,
  intAttr,
  intsAttr,
  type NodeImporter,
  type Rec,
} from './import-context.js';
import type { OnnxNode } from './schema.js';

/** The Keel axis of ONNX axis `a` of a value held as transpose(t, perm), and its length. */
function keelAxis(x: Rec, a: number): { axis: number; n: number | null } {
  const axis = x.perm ? x.perm[a]! : a;
  return { axis, n: x.t.shape[axis] ?? null };
}

/** A Slice layer keeping [start, end) of a Keel axis (nothing when that is the whole axis). */
function cut(
  c: ImportContext,
  t: SymbolicTensor,
  axis: number,
  start: number,
  end: number,
  n: number,
) {
  if (start === 0 && end === n) return t;
  if (axis === 0) throw new Error('slicing the batch axis is not supported');
  return c.apply('Slice', { axis, start, end }, [t]);
}

const axisLength = (n: number | null, a: number) => {
  if (n === null) throw new Error(`axis ${a} has an unknown length`);
  return n;
};

/** Slice of a computed tensor with step 1 (starts/ends/axes attributes before opset 10, inputs after). */
const slice: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  const { starts, ends, axes, steps } = sliceParams(c, node, r);
  let t = x.t;
  axes.forEach((a, i) => {
    if (steps[i] !== 1) throw new Error(`only step 1 is supported, steps [${steps}]`);
    if (a < 0 || a >= r) throw new Error(`axis ${a} is out of range for rank ${r}`);
    const { axis, n } = keelAxis(x, a);
    const len = axisLength(n, a);
    const clamp = (v: number) => Math.min(len, Math.max(0, v < 0 ? v + len : v));
    const [s, e] = [clamp(starts[i]!), clamp(ends[i]!)];
    if (e <= s) throw new Error(`the slice [${starts[i]}, ${ends[i]}) of axis ${a} is empty`);
    t = cut(c, t, axis, s, e, len);
  });
  c.set(node.output[0]!, { t, perm: x.perm });
};

/** Split sizes: the `split` attribute (before opset 13), the second input (13+), or equal parts. */
function splitSizes(c: ImportContext, node: OnnxNode, n: number): number[] {
  const given = node.input[1]
    ? Array.from(c.constant(node.input[1], 'the split sizes').data, Number)
    : intsAttr(node, 'split', []);
  const k = node.output.length;
  if (given.length > 0) {
    if (given.length !== k || given.reduce((a, b) => a + b, 0) !== n)
      throw new Error(`split [${given}] does not divide an axis of ${n} into ${k} outputs`);
    return given;
  }
  const part = Math.ceil(n / k);
  return Array.from({ length: k }, (_, i) => Math.min(part, n - i * part));
}

/** Split of a computed tensor along a non-batch axis → one Slice layer per output. */
const split: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  const a0 = intAttr(node, 'axis', 0);
  const a = a0 < 0 ? a0 + r : a0;
  const { axis, n } = keelAxis(x, a);
  const len = axisLength(n, a);
  const sizes = splitSizes(c, node, len);
  let start = 0;
  node.output.forEach((name, i) => {
    const end = start + sizes[i]!;
    if (name) c.set(name, { t: cut(c, x.t, axis, start, end, len), perm: x.perm });
    start = end;
  });
};

/**
 * Gather of a computed tensor by constant indices along a non-batch axis (PyTorch's `y[:, -1]`):
 * one index is a Slice then a Reshape that drops the axis (a scalar index) or keeps it (a 1-vector).
 */
export const gatherComputed: NodeImporter = (c, node) => {
  const x = c.tensor(node.input[0]);
  const r = x.t.shape.length;
  const idx = c.constant(node.input[1], 'the Gather indices');
  const a0 = intAttr(node, 'axis', 0);
  const a = a0 < 0 ? a0 + r : a0;
  if (a <= 0 || a >= r) throw new Error(`Gather along axis ${a0} of rank ${r} is not supported`);
  if (idx.size !== 1 || idx.rank > 1)
    throw new Error(`only one index is gathered from a computed tensor, indices [${idx.shape}]`);
  const t = c.realize(x);
  const len = axisLength(t.shape[a] ?? null, a);
  const i0 = idx.data[0]!;
  if (i0 < -len || i0 >= len) throw new Error(`index ${i0} is out of range for axis ${a} (${len})`);
  const i = i0 < 0 ? i0 + len : i0;
  const y = cut(c, t, a, i, i + 1, len);
  const out =
    idx.rank === 1
      ? y
      : c.apply('Reshape', { targetShape: y.shape.slice(1).filter((_, k) => k !== a - 1) }, [y]);
  c.set(node.output[0]!, { t: out, perm: null });
};

/** Slicing and splitting of computed tensors: ONNX op type → importer. */
export const SLICE_IMPORTERS: Readonly<Record<string, NodeImporter>> = {
  Slice: slice,
  Split: split,
};
