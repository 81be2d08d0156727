import { Tensor } from '../../tensor/tensor.js';
import { permute } from './builder.js';
import { ATTR, type OnnxNode } from './schema.js';

/** What the attention matcher needs to know about the graph being imported. */
export interface GraphView {
  nodes: readonly OnnxNode[];
  /** Index of the node producing `name`, if any. */
  producer(name: string): number | undefined;
  /** Indices of the nodes reading `name`. */
  consumers(name: string): readonly number[];
  /** The value of an initializer or Constant node, else null. */
  constant(name: string): Tensor | null;
  /** The ONNX shape of a graph input (null for unknown dims), else null. */
  inputShape(name: string): (number | null)[] | null;
}

/** A multi-head attention found in an ONNX graph, as a Keel MultiHeadAttention layer. */
export interface AttentionMatch {
  /** The node whose (first) output is the attention's result, in batch-first layout. */
  end: number;
  output: string;
  query: string;
  key: string;
  value: string;
  config: {
    numHeads: number;
    keyDim: number;
    valueDim: number;
    useBias: boolean;
    outputShape: number | null;
  };
  /** Weights in Keel's order: query, key, value kernel/bias pairs, then the output kernel and bias. */
  weights: Tensor[];
}

/** One projection path, traced back from an input of the attention core. */
interface Projection {
  source: string;
  kernel: Tensor;
  bias: Tensor | null;
  scale: number;
  perms: string[];
  reshapes: (number[] | null)[];
  seqFirst: boolean;
}

/**
 * The transposes each layout applies between a projection and the attention core: Keel's export
 * splits heads on a batch-first [B, T, H, K] tensor; PyTorch's nn.MultiheadAttention works on
 * seq-first [T, B·H, K] tensors after transposing its batch-first input.
 */
const LAYOUTS = {
  keel: { query: ['0,2,1,3'], key: ['0,2,3,1'], value: ['0,2,1,3'], output: ['0,2,1,3'] },
  torch: { query: ['1,0,2'], key: ['1,2,0'], value: ['1,0,2'], output: ['1,0,2'] },
} as const;

/**
 * Finds MatMul → (scale) → Softmax → MatMul attention cores whose queries, keys and values are
 * projections of graph tensors, as Keel's and PyTorch's (opset 17) exporters write them. A core
 * whose surroundings match neither layout is an Error naming what differed.
 */
export function findAttention(g: GraphView): AttentionMatch[] {
  const found: AttentionMatch[] = [];
  g.nodes.forEach((node, i) => {
    if (node.opType !== 'Softmax') return;
    const m2 = onlyConsumer(g, node.output[0]!, 'MatMul');
    if (m2 === null || g.nodes[m2]!.input[0] !== node.output[0]) return;
    let scores = node.input[0]!;
    let scale = 1;
    const scaled = producerNode(g, scores);
    if (scaled && (scaled.opType === 'Mul' || scaled.opType === 'Div')) {
      const s = scalarInput(g, scaled);
      if (s === null) return;
      scale = scaled.opType === 'Mul' ? s.value : 1 / s.value;
      scores = s.other;
    }
    const m1 = producerNode(g, scores);
    if (m1?.opType !== 'MatMul' || m1.input.some((n) => g.constant(n))) return;
    try {
      found.push(matchAttention(g, m1, g.nodes[m2]!, scale));
    } catch (e) {
      throw new Error(`attention at node ${i} '${node.name ?? ''}': ${(e as Error).message}`);
    }
  });
  return found;
}

function matchAttention(g: GraphView, m1: OnnxNode, m2: OnnxNode, coreScale: number) {
  const q = traceProjection(g, m1.input[0]!);
  const k = traceProjection(g, m1.input[1]!);
  const v = traceProjection(g, m2.input[1]!);
  const layoutName = q.seqFirst ? 'torch' : 'keel';
  const layout = LAYOUTS[layoutName];
  for (const [role, p] of [
    ['query', q],
    ['key', k],
    ['value', v],
  ] as const) {
    if (p.seqFirst !== q.seqFirst || p.perms.join('|') !== layout[role].join('|'))
      throw new Error(
        `the ${role} path transposes [${p.perms.join('] [')}], not as Keel's or PyTorch's exporter does`,
      );
  }
  const scale = coreScale * q.scale * k.scale;
  // Keel's export reshapes to [0, 0, heads, keyDim]; PyTorch's shape is computed, so its head
  // size comes from the 1/√keyDim scaling.
  const reshape = q.reshapes.find((r) => r && r.length === 4);
  const keyDim = reshape ? reshape[3]! : Math.round(1 / (scale * scale));
  if (!(keyDim >= 1) || Math.abs(scale * Math.sqrt(keyDim) - 1) > 1e-5)
    throw new Error(`the scores are scaled by ${scale}, not 1/√keyDim`);
  if (v.scale !== 1) throw new Error('the values are scaled');
  const qCols = q.kernel.shape[1]!;
  if (qCols % keyDim !== 0 || k.kernel.shape[1] !== qCols)
    throw new Error(
      `query/key projections [${q.kernel.shape}] / [${k.kernel.shape}] do not split into heads of ${keyDim}`,
    );
  const numHeads = qCols / keyDim;
  if (reshape && reshape[2] !== numHeads)
    throw new Error(`the query reshape [${reshape}] does not match ${numHeads} heads of ${keyDim}`);
  const vCols = v.kernel.shape[1]!;
  if (vCols % numHeads !== 0)
    throw new Error(
      `the value projection [${v.kernel.shape}] does not split into ${numHeads} heads`,
    );
  const valueDim = vCols / numHeads;
  const out = traceOutput(g, m2, layout.output, q.seqFirst);
  if (out.kernel.shape[0] !== vCols)
    throw new Error(`the output projection [${out.kernel.shape}] does not take ${vCols} features`);
  const dOut = out.kernel.shape[1]!;
  const useBias = !!(q.bias || k.bias || v.bias || out.bias);
  const zeros = (n: number) => new Float32Array(n);
  const weights: Tensor[] = [];
  for (const [p, e] of [
    [q, keyDim],
    [k, keyDim],
    [v, valueDim],
  ] as const) {
    const d = p.kernel.shape[0]!;
    weights.push(new Tensor(p.kernel.data as Float32Array, [d, numHeads, e], 'float32'));
    if (useBias)
      weights.push(
        new Tensor(
          (p.bias?.data as Float32Array | undefined) ?? zeros(numHeads * e),
          [numHeads, e],
          'float32',
        ),
      );
  }
  weights.push(new Tensor(out.kernel.data as Float32Array, [numHeads, valueDim, dOut], 'float32'));
  if (useBias)
    weights.push(
      new Tensor((out.bias?.data as Float32Array | undefined) ?? zeros(dOut), [dOut], 'float32'),
    );
  return {
    end: out.end,
    output: g.nodes[out.end]!.output[0]!,
    query: q.source,
    key: k.source,
    value: v.source,
    config: {
      numHeads,
      keyDim,
      valueDim,
      useBias,
      outputShape: dOut === q.kernel.shape[0] ? null : dOut,
    },
    weights,
  };
}

/** Walks back from a core input through Transpose/Reshape/Slice/scaling to `x·W (+ b)`. */
function traceProjection(g: GraphView, start: string): Projection {
  const perms: string[] = [];
  const reshapes: (number[] | null)[] = [];
  let scale = 1;
  let cols: [number, number] | null = null;
  let bias: Tensor | null = null;
  let name = start;
  for (let steps = 0; steps < 16; steps++) {
    const p = producerNode(g, name);
    if (!p) break;
    switch (p.opType) {
      case 'Transpose':
        perms.push(intsAttr(p, 'perm').join());
        name = p.input[0]!;
        continue;
      case 'Reshape': {
        const shape = g.constant(p.input[1]!);
        reshapes.push(shape ? Array.from(shape.data) : null);
        name = p.input[0]!;
        continue;
      }
      case 'Mul':
      case 'Div': {
        const s = scalarInput(g, p);
        if (!s) throw new Error(`${p.opType} '${p.name ?? ''}' is not a scaling by a constant`);
        scale *= p.opType === 'Mul' ? s.value : 1 / s.value;
        name = s.other;
        continue;
      }
      case 'Slice': {
        if (cols) throw new Error('two Slices on one projection');
        cols = sliceColumns(g, p);
        name = p.input[0]!;
        continue;
      }
      case 'Add': {
        const [a, b] = p.input as [string, string];
        const c = folded(g, a) ?? folded(g, b);
        if (!c || bias) throw new Error(`Add '${p.name ?? ''}' is not a projection bias`);
        bias = c;
        name = folded(g, a) ? b : a;
        continue;
      }
      case 'MatMul': {
        const w = folded(g, p.input[1]!);
        if (w?.rank !== 2) throw new Error(`MatMul '${p.name ?? ''}' is not a projection`);
        let source = p.input[0]!;
        const t = producerNode(g, source);
        const seqFirst = t?.opType === 'Transpose' && intsAttr(t, 'perm').join() === '1,0,2';
        if (seqFirst) source = t.input[0]!;
        const [lo, hi] = cols ?? [0, w.shape[1]!];
        if (bias && bias.size !== w.shape[1]) throw new Error('the bias does not match the kernel');
        return {
          source,
          kernel: columns(w, lo, hi),
          bias: bias ? new Tensor(bias.data.slice(lo, hi), [hi - lo], 'float32') : null,
          scale,
          perms: perms.reverse(),
          reshapes,
          seqFirst,
        };
      }
      default:
        throw new Error(`${p.opType} '${p.name ?? ''}' between a projection and the attention`);
    }
  }
  throw new Error(`'${start}' is not a projection of an input by a constant matrix`);
}

/** Follows the attention output through Transpose/Reshape to the output projection (+ bias). */
function traceOutput(g: GraphView, m2: OnnxNode, expected: readonly string[], seqFirst: boolean) {
  const perms: string[] = [];
  let name = m2.output[0]!;
  for (let steps = 0; steps < 8; steps++) {
    const list = g.consumers(name);
    if (list.length !== 1) throw new Error(`'${name}' has ${list.length} consumers`);
    const n = g.nodes[list[0]!]!;
    if (n.opType === 'Transpose') perms.push(intsAttr(n, 'perm').join());
    else if (n.opType !== 'Reshape') {
      if (perms.join('|') !== expected.join('|'))
        throw new Error(`the attention output is transposed [${perms.join('] [')}]`);
      return outputProjection(g, list[0]!, seqFirst);
    }
    name = n.output[0]!;
  }
  throw new Error('no output projection after the attention');
}

function outputProjection(g: GraphView, index: number, seqFirst: boolean) {
  const n = g.nodes[index]!;
  let w = n.input[1] ? g.constant(n.input[1]) : null;
  if ((n.opType !== 'MatMul' && n.opType !== 'Gemm') || !w || w.rank !== 2)
    throw new Error(`${n.opType} '${n.name ?? ''}' is not the output projection`);
  let bias: Tensor | null = null;
  if (n.opType === 'Gemm') {
    const attr = (k: string, d: number) => {
      const a = n.attribute?.find((x) => x.name === k);
      return a ? (a.type === ATTR.FLOAT ? (a.f ?? 0) : Number(a.i ?? 0)) : d;
    };
    if (attr('transA', 0) !== 0 || attr('alpha', 1) !== 1 || attr('beta', 1) !== 1)
      throw new Error('the output Gemm has transA, alpha or beta');
    if (attr('transB', 0) === 1) {
      const p = permute(w.data as Float32Array, w.shape, [1, 0]);
      w = new Tensor(p.data, p.shape, 'float32');
    }
    bias = n.input[2] ? g.constant(n.input[2]) : null;
  }
  let end = index;
  const after = g.consumers(n.output[0]!);
  const next = after.length === 1 ? g.nodes[after[0]!]! : null;
  if (!bias && next?.opType === 'Add') {
    const other = next.input.find((x) => x !== n.output[0]);
    const c = other ? g.constant(other) : null;
    if (c && c.size === w.shape[1]) {
      bias = c;
      end = after[0]!;
    }
  }
  if (seqFirst) {
    // [T·B, E] → Reshape [T, B, E] → Transpose [B, T, E]
    const r = g.consumers(g.nodes[end]!.output[0]!);
    const reshape = r.length === 1 && g.nodes[r[0]!]!.opType === 'Reshape' ? r[0]! : null;
    const t = reshape === null ? [] : g.consumers(g.nodes[reshape]!.output[0]!);
    const back = t.length === 1 ? g.nodes[t[0]!]! : null;
    if (back?.opType !== 'Transpose' || intsAttr(back, 'perm').join() !== '1,0,2')
      throw new Error('the seq-first output is not reshaped and transposed back to batch-first');
    end = t[0]!;
  }
  if (bias && bias.size !== w.shape[1]) throw new Error('the output bias does not match');
  return { kernel: w, bias, end };
}

/**
 * A constant, or a Transpose/Slice of one computed here: PyTorch's cross-attention slices its
 * packed in_proj_weight [3E, E] per projection and transposes the piece.
 */
function folded(g: GraphView, name: string, depth = 0): Tensor | null {
  return memo(g, 'folded', name, () => foldedUncached(g, name, depth));
}

function foldedUncached(g: GraphView, name: string, depth: number): Tensor | null {
  const c = g.constant(name);
  if (c) return c.dtype === 'float32' ? c : null;
  const p = producerNode(g, name);
  if (!p || depth > 8) return null;
  if (p.opType === 'Transpose') {
    const x = folded(g, p.input[0]!, depth + 1);
    const perm = intsAttr(p, 'perm');
    if (x?.rank !== 2 || (perm.length > 0 && perm.join() !== '1,0')) return null;
    const t = permute(x.data as Float32Array, x.shape, [1, 0]);
    return new Tensor(t.data, t.shape, 'float32');
  }
  if (p.opType === 'Slice') {
    const x = folded(g, p.input[0]!, depth + 1);
    const [lo, hi] = [1, 2].map((i) => (p.input[i] ? evalInts(g, p.input[i]!, 0) : null));
    const axes = p.input[3] ? evalInts(g, p.input[3], 0) : [0];
    const steps = p.input[4] ? evalInts(g, p.input[4], 0) : [1];
    if (!x || lo?.length !== 1 || hi?.length !== 1 || x.rank > 2) return null;
    if (!Number.isFinite(lo[0]! + hi[0]!)) return null;
    if (axes?.length !== 1 || (axes[0] !== 0 && axes[0] !== -x.rank) || steps?.[0] !== 1)
      return null;
    const n = x.shape[0]!;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
    const [a, b] = [clamp(lo[0]!), clamp(hi[0]!)];
    if (a >= b) return null;
    const row = x.rank === 2 ? x.shape[1]! : 1;
    return new Tensor(
      (x.data as Float32Array).slice(a * row, b * row),
      x.rank === 2 ? [b - a, row] : [b - a],
      'float32',
    );
  }
  return null;
}

/** [lo, hi) of the last axis a Slice keeps; bounds may be shape arithmetic (PyTorch's chunk). */
function sliceColumns(g: GraphView, node: OnnxNode): [number, number] {
  const [data, starts, ends, axes, steps] = node.input;
  const ev = (n: string | undefined) => (n ? evalInts(g, n, 0) : null);
  const a = ev(axes);
  const s = ev(steps);
  const lo = ev(starts);
  const hi = ev(ends);
  if (lo?.length !== 1 || hi?.length !== 1 || !Number.isFinite(lo[0]! + hi[0]!))
    throw new Error(`Slice '${node.name ?? ''}' needs one constant start and end`);
  const rank = shapeOf(g, data!, 0)?.length;
  if (a?.length !== 1 || (a[0] !== -1 && a[0] !== (rank ?? 0) - 1))
    throw new Error(`Slice '${node.name ?? ''}' must cut the last axis`);
  if (s && s[0] !== 1) throw new Error(`Slice '${node.name ?? ''}' has steps`);
  const cols = shapeOf(g, data!, 0)?.at(-1);
  const clamp = (v: number) => (cols ? Math.min(Math.max(v < 0 ? v + cols : v, 0), cols) : v);
  return [clamp(lo[0]!), clamp(hi[0]!)];
}

/** Integer values computable from constants and static shapes (null where a dim is unknown). */
function evalInts(g: GraphView, name: string, depth: number): number[] | null {
  return memo(g, 'ints', name, () => evalIntsUncached(g, name, depth));
}

function evalIntsUncached(g: GraphView, name: string, depth: number): number[] | null {
  const c = g.constant(name);
  if (c) return Array.from(c.data);
  const p = producerNode(g, name);
  if (!p || depth > 32) return null;
  const arg = (i: number) => evalInts(g, p.input[i]!, depth + 1);
  switch (p.opType) {
    case 'Shape': {
      // Unknown dims are NaN, which poisons only the arithmetic that uses them.
      const s = shapeOf(g, p.input[0]!, depth + 1);
      return s ? s.map((d) => d ?? Number.NaN) : null;
    }
    case 'Gather': {
      const [data, idx] = [arg(0), arg(1)];
      if (!data || !idx) return null;
      const out = idx.map((i) => data[i < 0 ? i + data.length : i]);
      return out.every((v) => typeof v === 'number') ? (out as number[]) : null;
    }
    case 'Slice': {
      const [data, lo, hi] = [arg(0), arg(1), arg(2)];
      const axes = p.input[3] ? arg(3) : [0];
      if (!data || lo?.length !== 1 || hi?.length !== 1 || p.input[4]) return null;
      if (axes?.length !== 1 || (axes[0] !== 0 && axes[0] !== -1)) return null;
      const n = data.length;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + n : v, 0), n);
      return data.slice(clamp(lo[0]!), clamp(hi[0]!));
    }
    case 'Squeeze':
    case 'Unsqueeze':
    case 'Cast':
    case 'Identity':
      return arg(0);
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      const [x, y] = [arg(0), arg(1)];
      if (!x || !y || (x.length !== y.length && x.length !== 1 && y.length !== 1)) return null;
      const n = Math.max(x.length, y.length);
      return Array.from({ length: n }, (_, i) => {
        const [u, w] = [x[x.length === 1 ? 0 : i]!, y[y.length === 1 ? 0 : i]!];
        if (p.opType === 'Add') return u + w;
        if (p.opType === 'Sub') return u - w;
        if (p.opType === 'Mul') return u * w;
        return Math.trunc(u / w);
      });
    }
    default:
      return null;
  }
}

/** The ONNX shape of a value along the projection path (graph input, Transpose, MatMul, Add). */
function shapeOf(g: GraphView, name: string, depth: number): (number | null)[] | null {
  return memo(g, 'shape', name, () => shapeOfUncached(g, name, depth));
}

function shapeOfUncached(g: GraphView, name: string, depth: number): (number | null)[] | null {
  const s = g.inputShape(name);
  if (s) return s;
  const c = folded(g, name);
  if (c) return [...c.shape];
  const p = producerNode(g, name);
  if (!p || depth > 32) return null;
  switch (p.opType) {
    case 'Transpose': {
      const x = shapeOf(g, p.input[0]!, depth + 1);
      return x ? intsAttr(p, 'perm').map((i) => x[i] ?? null) : null;
    }
    case 'MatMul': {
      const x = shapeOf(g, p.input[0]!, depth + 1);
      const w = shapeOf(g, p.input[1]!, depth + 1);
      return x && w ? [...x.slice(0, -1), w.at(-1) ?? null] : null;
    }
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div': {
      // A broadcast: the longer shape wins (a bias is 1-D, the projected tensor 3-D).
      const [x, y] = [shapeOf(g, p.input[0]!, depth + 1), shapeOf(g, p.input[1]!, depth + 1)];
      if (!x || !y) return null;
      return x.length >= y.length ? x : y;
    }
    default:
      return SHAPE_KEEPING.has(p.opType) ? shapeOf(g, p.input[0]!, depth + 1) : null;
  }
}

/** Operators whose output has the shape of their first input. */
const SHAPE_KEEPING = new Set([
  'Identity',
  'Dropout',
  'Relu',
  'Sigmoid',
  'Tanh',
  'Erf',
  'Softmax',
  'LayerNormalization',
  'BatchNormalization',
  'Elu',
  'Selu',
  'LeakyRelu',
  'Softplus',
  'Gelu',
  'Cast',
]);

/**
 * Each value is evaluated once per graph, so a hostile DAG of Adds that each read one value twice
 * costs linear, not exponential, time.
 */
const MEMO = new WeakMap<GraphView, Map<string, unknown>>();
function memo<T>(g: GraphView, kind: string, name: string, f: () => T): T {
  let m = MEMO.get(g);
  if (!m) MEMO.set(g, (m = new Map()));
  const key = `${kind}\0${name}`;
  if (m.has(key)) return m.get(key) as T;
  m.set(key, null); // a cycle reads null instead of recursing
  const v = f();
  m.set(key, v);
  return v;
}

function producerNode(g: GraphView, name: string): OnnxNode | undefined {
  const i = g.producer(name);
  return i === undefined ? undefined : g.nodes[i];
}

function onlyConsumer(g: GraphView, name: string, opType: string): number | null {
  const list = g.consumers(name);
  return list.length === 1 && g.nodes[list[0]!]!.opType === opType ? list[0]! : null;
}

/** For Mul/Div by a one-element constant: the constant and the other input. */
function scalarInput(g: GraphView, n: OnnxNode): { value: number; other: string } | null {
  const [a, b] = n.input as [string, string];
  const cb = g.constant(b);
  if (cb && cb.size === 1) return { value: cb.data[0]!, other: a };
  const ca = n.opType === 'Mul' ? g.constant(a) : null;
  if (ca && ca.size === 1) return { value: ca.data[0]!, other: b };
  return null;
}

function intsAttr(n: OnnxNode, name: string): number[] {
  return (n.attribute?.find((a) => a.name === name)?.ints ?? []).map(Number);
}

/** Columns [lo, hi) of a 2-D matrix. */
function columns(w: Tensor, lo: number, hi: number): Tensor {
  const [rows, cols] = w.shape as [number, number];
  if (!(lo >= 0 && hi <= cols && lo < hi))
    throw new Error(`columns [${lo}, ${hi}) of a [${w.shape}] matrix`);
  const out = new Float32Array(rows * (hi - lo));
  for (let r = 0; r < rows; r++)
    out.set((w.data as Float32Array).subarray(r * cols + lo, r * cols + hi), r * (hi - lo));
  return new Tensor(out, [rows, hi - lo], 'float32');
}
