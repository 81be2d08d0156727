import { type ImportContext, intsAttr, type Value } from './import-context.js';
import type { OnnxNode } from './schema.js';

type ShapeValue = Extract<Value, { kind: 'shape' }>;

const isShape = (c: ImportContext, name: string | undefined) =>
  !!name && c.values.get(name)?.kind === 'shape';

/** The ONNX-layout shape of a computed tensor. */
function onnxShape(c: ImportContext, name: string): (number | null)[] {
  const rec = c.tensor(name);
  const s = rec.t.shape;
  return rec.perm ? rec.perm.map((p) => s[p] ?? null) : [...s];
}

/** A value as a known integer vector, or null when it is not one. */
function known(c: ImportContext, name: string | undefined): ShapeValue | null {
  if (!name) return null;
  const v: Value | undefined = c.values.get(name);
  if (v?.kind === 'shape') return v;
  if (v?.kind === 'const' && v.tensor.rank <= 1) {
    return { kind: 'shape', dims: Array.from(v.tensor.data, Number), scalar: v.tensor.rank === 0 };
  }
  return null;
}

function bind(c: ImportContext, name: string, value: ShapeValue): void {
  c.setValue(name, value);
}

/** Axes from the attribute (opset < 13) or the second input (opset 13+). */
function axesOf(c: ImportContext, node: OnnxNode): number[] | null {
  if (node.input[1]) {
    const k = known(c, node.input[1]);
    if (!k || k.dims.some((d) => d === null)) throw new Error('the axes must be a constant');
    return k.dims as number[];
  }
  const a = intsAttr(node, 'axes', []);
  return a.length > 0 ? a : null;
}

function isComputed(c: ImportContext, name: string | undefined): boolean {
  return !!name && c.values.get(name)?.kind === 'tensor';
}

/** A computed tensor reshaped to an ONNX-layout shape whose batch axis stays first. */
function reshapeLayer(c: ImportContext, node: OnnxNode, target: (number | null)[]): void {
  const rest = target.slice(1);
  if (rest.some((d) => d === null))
    throw new Error(`the new shape [${target}] has unknown dimensions besides the batch`);
  const x = c.realize(c.tensor(node.input[0]));
  c.set(node.output[0]!, { t: c.apply('Reshape', { targetShape: rest }, [x]), perm: null });
}

/**
 * Converts `node` when it is shape arithmetic or an Unsqueeze/Squeeze of a computed tensor;
 * returns false to let the ordinary importer convert it.
 */
export function foldShapeArithmetic(c: ImportContext, node: OnnxNode): boolean {
  const out = node.output[0]!;
  switch (node.opType) {
    case 'Shape': {
      if (!isComputed(c, node.input[0])) return false;
      const dims = onnxShape(c, node.input[0]!);
      const r = dims.length;
      const norm = (a: number) => Math.min(r, Math.max(0, a < 0 ? a + r : a));
      const start = norm(intsAttr(node, 'start', [0])[0] ?? 0);
      const end = norm(intsAttr(node, 'end', [r])[0] ?? r);
      bind(c, out, { kind: 'shape', dims: dims.slice(start, end), scalar: false });
      return true;
    }
    case 'Gather': {
      const data = known(c, node.input[0]);
      const idx = known(c, node.input[1]);
      if (!data || !idx || data.scalar) return false;
      const n = data.dims.length;
      const picked = idx.dims.map((i) => {
        if (i === null || i < -n || i >= n)
          throw new Error(`index ${i} is out of range for [${data.dims}]`);
        return data.dims[i < 0 ? i + n : i]!;
      });
      bind(c, out, { kind: 'shape', dims: picked, scalar: idx.scalar });
      return true;
    }
    case 'Unsqueeze':
    case 'Squeeze': {
      const v = known(c, node.input[0]);
      const axes = axesOf(c, node);
      if (v) {
        // A scalar becomes a 1-vector (Unsqueeze axes [0]); a 1-vector stays one.
        const ok =
          node.opType === 'Unsqueeze'
            ? v.scalar && axes?.join() === '0'
            : !v.scalar && v.dims.length === 1 && (!axes || axes.join() === '0');
        if (!ok) return false;
        bind(c, out, { kind: 'shape', dims: v.dims, scalar: node.opType === 'Squeeze' });
        return true;
      }
      if (!isComputed(c, node.input[0])) return false;
      const shape = onnxShape(c, node.input[0]!);
      let target: (number | null)[];
      if (node.opType === 'Unsqueeze') {
        if (!axes) throw new Error('Unsqueeze needs axes');
        const r = shape.length + axes.length;
        const norm = axes.map((a) => (a < 0 ? a + r : a)).sort((a, b) => a - b);
        if (norm.includes(0)) throw new Error('Unsqueeze before the batch axis is not supported');
        target = [...shape];
        for (const a of norm) target.splice(a, 0, 1);
      } else {
        const r = shape.length;
        const drop = axes
          ? axes.map((a) => (a < 0 ? a + r : a))
          : shape.map((d, i) => (i > 0 && d === 1 ? i : -1)).filter((i) => i > 0);
        if (drop.includes(0)) throw new Error('Squeeze of the batch axis is not supported');
        for (const a of drop)
          if (shape[a] !== 1) throw new Error(`cannot squeeze axis ${a} of size ${shape[a]}`);
        target = shape.filter((_, i) => !drop.includes(i));
      }
      reshapeLayer(c, node, target);
      return true;
    }
    case 'Concat': {
      const parts = node.input.map((n) => known(c, n));
      if (
        parts.some((p) => !p) ||
        !parts.some((p, i) => isShape(c, node.input[i]) || p!.dims.length > 0)
      )
        return false;
      if (!node.input.some((n) => isShape(c, n))) return false; // plain constants: the ordinary path
      bind(c, out, { kind: 'shape', dims: parts.flatMap((p) => p!.dims), scalar: false });
      return true;
    }
    case 'Cast': {
      const v = known(c, node.input[0]);
      if (!v || !isShape(c, node.input[0])) return false;
      bind(c, out, v);
      return true;
    }
    case 'Reshape': {
      const s = known(c, node.input[1]);
      if (!s || !isShape(c, node.input[1]) || !isComputed(c, node.input[0])) return false;
      const from = onnxShape(c, node.input[0]!);
      const target = s.dims.map((d, i) => (d === 0 ? (from[i] ?? null) : d));
      if (target[0] !== null && target[0] !== -1 && target[0] !== from[0])
        throw new Error(`Reshape must keep the batch axis first, got [${s.dims}]`);
      reshapeLayer(c, node, [null, ...target.slice(1)]);
      return true;
    }
    default:
      return false;
  }
}
