import { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import { weightBudget } from '../../nn/engine/layer.js';
import type { SymbolicTensor } from '../../nn/engine/symbolic-tensor.js';
import { Input } from '../../nn/layers/input-layer.js';
import { deserializeLayer } from '../../nn/layers/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { readFileBounded } from '../safetensors-read.js';
import { permute } from './builder.js';
import { decodeOnnx, initializerTensor } from './decode.js';
import { type AttentionMatch, findAttention, type GraphView } from './import-attention.js';
import { ATTR, ONNX_DTYPE, type OnnxNode, type OnnxTensor } from './schema.js';
// Every built-in layer must be registered before a file naming it can be loaded.
import '../../nn/layers/index.js';

/** An ONNX value as Keel holds it: ONNX value = transpose(t, perm); perm null means identity. */
interface Rec {
  t: SymbolicTensor;
  perm: number[] | null;
}
type Value =
  | { kind: 'tensor'; rec: Rec }
  | { kind: 'const'; tensor: Tensor }
  | { kind: 'rnnY' | 'rnnYh'; node: number };

const channelsFirst = (r: number) => [0, r - 1, ...Array.from({ length: r - 2 }, (_, i) => i + 1)];
const isIdentity = (p: readonly number[]) => p.every((v, i) => v === i);
const inverse = (p: readonly number[]) => p.map((_, i) => p.indexOf(i));
/** transpose(transpose(t, a), b) = transpose(t, compose(a, b)). */
const compose = (a: readonly number[] | null, b: readonly number[]) => {
  const c = b.map((i) => (a ? a[i]! : i));
  return isIdentity(c) ? null : c;
};

/**
 * Converts an ONNX model (Keel's exports and graphs built from Gemm/MatMul/Add, Conv, MaxPool,
 * AveragePool, BatchNormalization, LayerNormalization, Relu/Sigmoid/Tanh/Softmax/..., Flatten,
 * Reshape, Transpose, Concat, Sum, Mul, global pooling, Gather, LSTM/GRU/RNN, Constant) into a
 * functional Keel model that can be evaluated and trained. Channels-first tensors become
 * channels-last layers; Transposes are folded away where they cancel. Multi-head attention, as
 * Keel's exporter and PyTorch's (nn.MultiheadAttention, nn.TransformerEncoderLayer, opset 17)
 * write it, becomes one MultiHeadAttention layer; only the nodes the outputs need are converted,
 * so PyTorch's shape arithmetic is skipped. `const model = loadOnnx('m.onnx')`
 */
export function importOnnx(bytes: Uint8Array, source = 'onnx model'): Model {
  const onnx = decodeOnnx(bytes, source);
  const graph = onnx.graph;
  const values = new Map<string, Value>();
  let budget = 1024;
  for (const init of graph.initializer ?? []) {
    const t = initializerTensor(init, source);
    budget += t.size;
    values.set(init.name, { kind: 'const', tensor: t });
  }
  const previous = weightBudget.remaining;
  weightBudget.remaining = Math.min(previous, budget);
  try {
    return new Importer(source, graph.node ?? [], values).run(graph);
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    throw new Error(msg.startsWith(source) ? msg : `${source}: ${msg}`);
  } finally {
    weightBudget.remaining = previous;
  }
}

/** Reads an ONNX file and converts it (see `importOnnx`). */
export function loadOnnx(path: string): Model {
  return importOnnx(readFileBounded(path), path);
}

/**
 * A Constant node's tensor. Int64 values past int32 are clamped: exporters write INT64_MAX as a
 * Slice end meaning "to the end", and Slice clamps its bounds to the axis anyway.
 */
function constantTensor(t: OnnxTensor, name: string, source: string): Tensor {
  try {
    return initializerTensor({ ...t, name }, source);
  } catch (e) {
    const raw = t.rawData;
    const size = (t.dims ?? []).reduce((a, b) => a * b, 1);
    if (t.dataType !== ONNX_DTYPE.INT64 || !raw || raw.byteLength !== size * 8 || size > 64)
      throw e;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = Int32Array.from({ length: size }, (_, i) => {
      const v = view.getBigInt64(i * 8, true);
      return v > 2147483647n ? 2147483647 : v < -2147483648n ? -2147483648 : Number(v);
    });
    return new Tensor(data, t.dims ?? [], 'int32');
  }
}

class Importer {
  private consumers = new Map<string, number[]>();
  private producers = new Map<string, number>();
  private skip = new Set<number>();
  private attention = new Map<number, AttentionMatch>();

  constructor(
    readonly source: string,
    readonly nodes: OnnxNode[],
    readonly values: Map<string, Value>,
  ) {
    nodes.forEach((n, i) => {
      for (const o of n.output ?? []) if (o) this.producers.set(o, i);
      if (n.opType === 'Constant') {
        const t = n.attribute?.find((a) => a.name === 'value' && a.type === ATTR.TENSOR)?.t;
        if (!t) throw new Error(`node ${i} (Constant): only a 'value' tensor is supported`);
        this.values.set(n.output[0]!, {
          kind: 'const',
          tensor: constantTensor(t, n.output[0]!, source),
        });
        this.skip.add(i);
      }
    });
    this.countConsumers(() => true);
  }

  private countConsumers(live: (i: number) => boolean): void {
    this.consumers.clear();
    this.nodes.forEach((n, i) => {
      if (!live(i)) return;
      for (const x of n.input ?? []) {
        if (!x) continue;
        const list = this.consumers.get(x);
        if (list) list.push(i);
        else this.consumers.set(x, [i]);
      }
    });
  }

  /** The graph as the attention matcher sees it; Shape nodes (shape arithmetic) are not consumers. */
  private view(inputs: Map<string, (number | null)[]>): GraphView {
    return {
      nodes: this.nodes,
      producer: (name) => this.producers.get(name),
      consumers: (name) =>
        (this.consumers.get(name) ?? []).filter((i) => this.nodes[i]!.opType !== 'Shape'),
      constant: (name) => {
        const v = this.values.get(name);
        return v?.kind === 'const' ? v.tensor : null;
      },
      inputShape: (name) => inputs.get(name) ?? null,
    };
  }

  /**
   * Marks the nodes the graph outputs depend on; an attention counts as one node reading its
   * query, key and value, so the shape arithmetic inside it (PyTorch's Shape/Gather/Concat) is
   * never converted. Initial recurrent states that are zeros are not dependencies either.
   */
  private markLive(outputs: string[]): Set<number> {
    const ends = new Map([...this.attention.values()].map((m) => [m.end, m]));
    const live = new Set<number>();
    const stack = [...outputs];
    while (stack.length > 0) {
      const name = stack.pop()!;
      const i = this.producers.get(name);
      if (i === undefined || live.has(i)) continue;
      live.add(i);
      const m = ends.get(i);
      if (m) {
        stack.push(m.query, m.key, m.value);
        continue;
      }
      const node = this.nodes[i]!;
      const recurrent = ['LSTM', 'GRU', 'RNN'].includes(node.opType);
      node.input.forEach((x, k) => {
        if (x && !(recurrent && k >= 5 && this.zeroState(x))) stack.push(x);
      });
    }
    return live;
  }

  /** True for an initial state built by ConstantOfShape with value 0 (PyTorch's default h0/c0). */
  private zeroState(name: string): boolean {
    const i = this.producers.get(name);
    const n = i === undefined ? undefined : this.nodes[i];
    if (n?.opType !== 'ConstantOfShape') return false;
    const t = n.attribute?.find((a) => a.name === 'value')?.t;
    return (
      !t || Array.from(initializerTensor({ ...t, name }, this.source).data).every((v) => v === 0)
    );
  }

  run(graph: {
    input: { name: string; type?: unknown }[];
    output: { name: string }[];
    name?: string;
  }): Model {
    const inputs: SymbolicTensor[] = [];
    const inputShapes = new Map<string, (number | null)[]>();
    for (const vi of graph.input ?? []) {
      if (this.values.has(vi.name)) continue; // an initializer listed as an input (IR < 4)
      const tt = (vi as import('./schema.js').OnnxValueInfo).type?.tensorType;
      const dims = tt?.shape?.dim ?? [];
      const elem = tt?.elemType;
      const dtype =
        elem === ONNX_DTYPE.FLOAT
          ? 'float32'
          : elem === ONNX_DTYPE.INT32 || elem === ONNX_DTYPE.INT64
            ? 'int32'
            : null;
      if (!dtype) throw new Error(`input '${vi.name}': element type ${elem} is not supported`);
      const batchShape = dims.map((d, i) =>
        i === 0 || d.dimValue === undefined ? null : Number(d.dimValue),
      );
      inputShapes.set(vi.name, batchShape);
      const t = Input({ batchShape, dtype, name: vi.name });
      inputs.push(t);
      this.values.set(vi.name, { kind: 'tensor', rec: { t, perm: null } });
    }
    for (const m of findAttention(this.view(inputShapes))) this.attention.set(m.end, m);
    const live = this.markLive((graph.output ?? []).map((o) => o.name));
    this.countConsumers((i) => live.has(i));
    this.nodes.forEach((node, i) => {
      if (this.skip.has(i) || !live.has(i)) return;
      try {
        const m = this.attention.get(i);
        if (m) this.emitAttention(m);
        else this.convert(node, i);
      } catch (e) {
        throw new Error(`node ${i} '${node.name ?? ''}' (${node.opType}): ${(e as Error).message}`);
      }
    });
    const outputs = (graph.output ?? []).map((o) => this.realize(this.tensor(o.name)));
    if (inputs.length === 0 || outputs.length === 0)
      throw new Error('the graph needs at least one input and one output');
    return new Model({
      inputs: inputs.length === 1 ? inputs[0]! : inputs,
      outputs: outputs.length === 1 ? outputs[0]! : outputs,
      name: graph.name || undefined,
    });
  }

  /** A matched attention becomes one MultiHeadAttention layer on batch-first tensors. */
  private emitAttention(m: AttentionMatch): void {
    const [q, v, k] = [m.query, m.value, m.key].map((n) => this.realize(this.tensor(n)));
    const ins = m.key === m.value ? [q!, v!] : [q!, v!, k!];
    const { numHeads, keyDim, ...rest } = m.config;
    this.set(m.output, {
      t: this.apply('MultiHeadAttention', { numHeads, keyDim, ...rest }, ins, m.weights),
      perm: null,
    });
  }

  // --- values -----------------------------------------------------------------------------

  private value(name: string | undefined): Value {
    const v = name ? this.values.get(name) : undefined;
    if (!v) throw new Error(`value '${name}' is not produced by any earlier node`);
    return v;
  }

  private tensor(name: string | undefined): Rec {
    const v = this.value(name);
    if (v.kind !== 'tensor')
      throw new Error(
        `'${name}' must be a computed tensor, not a ${v.kind === 'const' ? 'constant' : 'recurrent output'}`,
      );
    return v.rec;
  }

  private constant(name: string | undefined, what: string): Tensor {
    const v = this.value(name);
    if (v.kind !== 'const') throw new Error(`${what} ('${name}') must be an initializer`);
    return v.tensor;
  }

  private optionalConstant(node: OnnxNode, i: number): Tensor | null {
    const name = node.input[i];
    return name ? this.constant(name, `input ${i}`) : null;
  }

  private set(name: string, rec: Rec): void {
    this.values.set(name, { kind: 'tensor', rec });
  }

  /** The Keel tensor equal to the ONNX value (a Permute layer when the layouts differ). */
  private realize(rec: Rec): SymbolicTensor {
    if (!rec.perm) return rec.t;
    if (rec.perm[0] !== 0) throw new Error(`cannot move the batch axis (transpose [${rec.perm}])`);
    return this.apply('Permute', { dims: rec.perm.slice(1) }, [rec.t]);
  }

  /** A Keel tensor u with ONNX value = transpose(u, layout). */
  private inLayout(rec: Rec, layout: number[]): SymbolicTensor {
    return this.realize({ t: rec.t, perm: compose(rec.perm, inverse(layout)) });
  }

  private apply(
    className: string,
    config: Record<string, unknown>,
    inputs: SymbolicTensor[],
    weights?: Tensor[],
  ): SymbolicTensor {
    const layer: Layer = deserializeLayer({ className, config });
    const y = inputs.length === 1 ? layer.apply(inputs[0]!) : layer.apply(inputs);
    if (weights) layer.setWeights(weights);
    if (Array.isArray(y)) throw new Error(`${className} returned several tensors`);
    return y as SymbolicTensor;
  }

  // --- attributes ---------------------------------------------------------------------------

  private attr(node: OnnxNode, name: string): number | number[] | string | undefined {
    const a = node.attribute?.find((x) => x.name === name);
    if (!a) return undefined;
    switch (a.type) {
      case ATTR.INT:
        return Number(a.i ?? 0);
      case ATTR.FLOAT:
        return a.f ?? 0;
      case ATTR.INTS:
        return (a.ints ?? []).map(Number);
      case ATTR.STRING:
        return new TextDecoder().decode(a.s ?? new Uint8Array());
      case ATTR.FLOATS:
        return a.floats ?? [];
      default:
        return undefined;
    }
  }

  private int(node: OnnxNode, name: string, fallback: number): number {
    const v = this.attr(node, name);
    if (v === undefined) return fallback;
    if (typeof v !== 'number') throw new Error(`attribute ${name} must be a number`);
    return v;
  }

  private ints(node: OnnxNode, name: string, fallback: number[]): number[] {
    const v = this.attr(node, name);
    if (v === undefined) return fallback;
    if (!Array.isArray(v)) throw new Error(`attribute ${name} must be a list of integers`);
    return v as number[];
  }

  private onlyConsumer(name: string, opType: string): number | null {
    const list = this.consumers.get(name) ?? [];
    return list.length === 1 && this.nodes[list[0]!]!.opType === opType ? list[0]! : null;
  }

  // --- conversion ----------------------------------------------------------------------------

  private convert(node: OnnxNode, index: number): void {
    const out = node.output[0]!;
    const unary = (activation: string) => {
      const x = this.tensor(node.input[0]);
      this.set(out, { t: this.apply('Activation', { activation }, [x.t]), perm: x.perm });
    };
    switch (node.opType) {
      case 'Identity':
      case 'Dropout':
        this.values.set(out, this.value(node.input[0]));
        return;
      case 'Cast': {
        // Ids cast to integers for Gather (Keel's Embedding takes float ids as they are).
        const to = this.int(node, 'to', 0);
        const gathers = (this.consumers.get(out) ?? []).every(
          (i) => this.nodes[i]!.opType === 'Gather' && this.nodes[i]!.input[1] === out,
        );
        const ints = to === ONNX_DTYPE.INT64 || to === ONNX_DTYPE.INT32;
        if (!(to === ONNX_DTYPE.FLOAT || (ints && gathers)))
          throw new Error(`Cast to type ${to} is only supported on the ids of a Gather`);
        this.values.set(out, this.value(node.input[0]));
        return;
      }
      case 'Transpose': {
        const x = this.tensor(node.input[0]);
        const perm = this.ints(
          node,
          'perm',
          x.t.shape.map((_, i) => x.t.shape.length - 1 - i),
        );
        this.set(out, { t: x.t, perm: compose(x.perm, perm) });
        return;
      }
      case 'Relu':
        unary('relu');
        return;
      case 'Sigmoid':
        unary('sigmoid');
        return;
      case 'Tanh':
        unary('tanh');
        return;
      case 'Elu':
        unary('elu');
        return;
      case 'Selu':
        unary('selu');
        return;
      case 'Softplus':
        unary('softplus');
        return;
      case 'Softsign':
        unary('softsign');
        return;
      case 'Exp':
        unary('exponential');
        return;
      case 'HardSigmoid':
        unary('hard_sigmoid');
        return;
      case 'LeakyRelu': {
        const alpha = this.attr(node, 'alpha') ?? 0.01;
        if (Math.abs((alpha as number) - 0.2) > 1e-6)
          throw new Error(`LeakyRelu alpha=${alpha}: only 0.2 (Keras's default) is supported`);
        unary('leaky_relu');
        return;
      }
      case 'Clip': {
        const lo = this.optionalConstant(node, 1)?.data[0];
        const hi = this.optionalConstant(node, 2)?.data[0];
        if (lo !== 0 || hi !== 6)
          throw new Error(`Clip(${lo}, ${hi}): only Clip(0, 6) (relu6) is supported`);
        unary('relu6');
        return;
      }
      case 'Softmax':
      case 'LogSoftmax': {
        const x = this.tensor(node.input[0]);
        const r = x.t.shape.length;
        let axis = this.int(node, 'axis', -1);
        if (axis < 0) axis += r;
        if ((x.perm ? x.perm[axis] : axis) !== r - 1)
          throw new Error(
            `${node.opType} over axis ${axis}: only the (Keel) last axis is supported`,
          );
        unary(node.opType === 'Softmax' ? 'softmax' : 'log_softmax');
        return;
      }
      case 'Div':
        this.gelu(node);
        return;
      case 'Mul':
        this.mul(node);
        return;
      case 'Add':
      case 'Sum': {
        const vals = node.input.map((n) => this.value(n));
        if (vals.some((v) => v.kind !== 'tensor'))
          throw new Error(
            `${node.opType} with a constant is only supported after MatMul (a Dense bias)`,
          );
        this.merge('Add', node);
        return;
      }
      case 'Concat':
        this.merge('Concatenate', node, this.int(node, 'axis', 0));
        return;
      case 'MatMul':
      case 'Gemm':
        this.dense(node, index);
        return;
      case 'Conv':
        this.conv(node);
        return;
      case 'MaxPool':
      case 'AveragePool':
        this.pool(node);
        return;
      case 'GlobalAveragePool':
      case 'GlobalMaxPool': {
        const x = this.tensor(node.input[0]);
        const r = x.t.shape.length;
        if (r !== 4) throw new Error(`${node.opType} is supported on 4-D inputs, got rank ${r}`);
        const cls =
          node.opType === 'GlobalAveragePool' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
        this.set(out, {
          t: this.apply(cls, { keepdims: true }, [this.inLayout(x, channelsFirst(r))]),
          perm: compose(null, channelsFirst(r)),
        });
        return;
      }
      case 'ReduceMean':
      case 'ReduceMax':
        this.reduce(node);
        return;
      case 'BatchNormalization':
        this.batchNorm(node);
        return;
      case 'LayerNormalization':
        this.layerNorm(node);
        return;
      case 'Flatten': {
        if (this.int(node, 'axis', 1) !== 1) throw new Error('only Flatten(axis=1) is supported');
        const x = this.realize(this.tensor(node.input[0]));
        this.set(out, { t: x.shape.length === 2 ? x : this.apply('Flatten', {}, [x]), perm: null });
        return;
      }
      case 'Reshape':
        this.reshape(node);
        return;
      case 'Gather': {
        const table = this.constant(node.input[0], 'the Gather table');
        if (this.int(node, 'axis', 0) !== 0 || table.rank !== 2)
          throw new Error('only Gather(2-D table, indices, axis=0) (an embedding) is supported');
        const ids = this.realize(this.tensor(node.input[1]));
        const [inputDim, outputDim] = table.shape as [number, number];
        this.set(out, {
          t: this.apply('Embedding', { inputDim, outputDim }, [ids], [table]),
          perm: null,
        });
        return;
      }
      case 'LSTM':
      case 'GRU':
      case 'RNN':
        this.recurrent(node, index);
        return;
      case 'Squeeze':
        this.squeeze(node);
        return;
      default:
        throw new Error(`operator ${node.opType} is not supported by loadOnnx`);
    }
  }

  private merge(
    className: 'Add' | 'Concatenate' | 'Multiply',
    node: OnnxNode,
    axis?: number,
  ): void {
    const recs = node.input.map((n) => this.tensor(n));
    const same = recs.every((r) => JSON.stringify(r.perm) === JSON.stringify(recs[0]!.perm));
    const perm = same ? recs[0]!.perm : null;
    const ts = same ? recs.map((r) => r.t) : recs.map((r) => this.realize(r));
    const config: Record<string, unknown> = {};
    if (axis !== undefined) {
      const r = ts[0]!.shape.length;
      const a = axis < 0 ? axis + r : axis;
      config['axis'] = perm ? perm[a] : a;
    }
    this.set(node.output[0]!, {
      t: ts.length === 1 ? ts[0]! : this.apply(className, config, ts),
      perm,
    });
  }

  /** Mul: x * sigmoid(x) (silu), the tail of a gelu pattern handled in `gelu`, or a Multiply layer. */
  private mul(node: OnnxNode): void {
    const [a, b] = node.input;
    const producer = (n: string | undefined) => this.nodes.find((m) => m.output.includes(n ?? ''));
    for (const [x, s] of [
      [a, b],
      [b, a],
    ] as const) {
      const p = producer(s);
      if (p?.opType === 'Sigmoid' && p.input[0] === x) {
        const rec = this.tensor(x);
        this.set(node.output[0]!, {
          t: this.apply('Activation', { activation: 'silu' }, [rec.t]),
          perm: rec.perm,
        });
        return;
      }
    }
    if (node.input.some((n) => this.value(n).kind !== 'tensor'))
      throw new Error('Mul by a constant is only supported inside a gelu pattern');
    this.merge('Multiply', node);
  }

  /** Div(x, √2) → Erf → Add 1 → Mul x → Mul 0.5: Keel's exported gelu. */
  private gelu(node: OnnxNode): void {
    const divisor = this.constant(node.input[1], 'the divisor');
    const fail = () =>
      new Error('Div is only supported as part of a gelu pattern (x / √2 → Erf → +1 → ·x → ·0.5)');
    if (divisor.size !== 1 || Math.abs(divisor.data[0]! - Math.SQRT2) > 1e-6) throw fail();
    const x = node.input[0]!;
    const erf = this.onlyConsumer(node.output[0]!, 'Erf');
    const add = erf === null ? null : this.onlyConsumer(this.nodes[erf]!.output[0]!, 'Add');
    const mul1 = add === null ? null : this.onlyConsumer(this.nodes[add]!.output[0]!, 'Mul');
    const mul2 = mul1 === null ? null : this.onlyConsumer(this.nodes[mul1]!.output[0]!, 'Mul');
    if (mul2 === null || !this.nodes[mul1!]!.input.includes(x)) throw fail();
    const rec = this.tensor(x);
    this.skip.add(erf!).add(add!).add(mul1!).add(mul2);
    this.set(this.nodes[mul2]!.output[0]!, {
      t: this.apply('Activation', { activation: 'gelu' }, [rec.t]),
      perm: rec.perm,
    });
  }

  private dense(node: OnnxNode, index: number): void {
    let kernel = this.constant(node.input[1], 'the weight matrix');
    if (kernel.rank !== 2) throw new Error(`the weight matrix must be 2-D, got [${kernel.shape}]`);
    let bias: Tensor | null = null;
    let output = node.output[0]!;
    if (node.opType === 'Gemm') {
      if (this.int(node, 'transA', 0) !== 0) throw new Error('Gemm with transA=1 is not supported');
      if (this.int(node, 'transB', 0) === 1) {
        const p = permute(kernel.data as Float32Array, kernel.shape, [1, 0]);
        kernel = new Tensor(p.data, p.shape, 'float32');
      }
      const alpha = (this.attr(node, 'alpha') as number | undefined) ?? 1;
      const beta = (this.attr(node, 'beta') as number | undefined) ?? 1;
      if (alpha !== 1)
        kernel = new Tensor(
          (kernel.data as Float32Array).map((v) => v * alpha),
          kernel.shape,
          'float32',
        );
      const c = this.optionalConstant(node, 2);
      if (c)
        bias = new Tensor(
          Float32Array.from(
            { length: kernel.shape[1]! },
            (_, i) => c.data[c.size === 1 ? 0 : i]! * beta,
          ),
          [kernel.shape[1]!],
          'float32',
        );
    } else {
      const add = this.onlyConsumer(output, 'Add');
      if (add !== null) {
        const other = this.nodes[add]!.input.find((n) => n !== output);
        const v = other ? this.values.get(other) : undefined;
        if (v?.kind === 'const' && v.tensor.size === kernel.shape[1]) {
          bias = new Tensor(Float32Array.from(v.tensor.data), [kernel.shape[1]!], 'float32');
          this.skip.add(add);
          output = this.nodes[add]!.output[0]!;
        }
      }
    }
    void index;
    const x = this.realize(this.tensor(node.input[0]));
    const units = kernel.shape[1]!;
    const weights = bias ? [kernel, bias] : [kernel];
    this.set(output, {
      t: this.apply('Dense', { units, useBias: bias !== null }, [x], weights),
      perm: null,
    });
  }

  private padding(
    node: OnnxNode,
    kernel: number[],
    strides: number[],
    dilations: number[],
  ): string {
    const auto = (this.attr(node, 'auto_pad') as string | undefined) ?? 'NOTSET';
    if (auto === 'SAME_UPPER') return 'same';
    if (auto === 'VALID') return 'valid';
    if (auto !== 'NOTSET') throw new Error(`auto_pad ${auto} is not supported`);
    const pads = this.ints(node, 'pads', kernel.map(() => 0).concat(kernel.map(() => 0)));
    const n = kernel.length;
    if (pads.every((p) => p === 0)) return 'valid';
    const total = kernel.map((k, i) => (k - 1) * (dilations[i] ?? 1));
    if (n === 1 && pads[0] === total[0] && pads[1] === 0) return 'causal';
    const same =
      strides.every((s) => s === 1) &&
      total.every((t, i) => pads[i] === Math.floor(t / 2) && pads[i + n] === t - Math.floor(t / 2));
    if (same) return 'same';
    throw new Error(`pads [${pads}] match neither 'valid' nor 'same'`);
  }

  private conv(node: OnnxNode): void {
    const x = this.tensor(node.input[0]);
    const w = this.constant(node.input[1], 'the kernel');
    const bias = this.optionalConstant(node, 2);
    const spatial = w.rank - 2;
    const r = spatial + 2;
    if (spatial !== 1 && spatial !== 2)
      throw new Error(`only 1-D and 2-D convolutions are supported, kernel [${w.shape}]`);
    if (x.t.shape.length !== r)
      throw new Error(`input rank ${x.t.shape.length} does not match a ${spatial}-D kernel`);
    if (this.int(node, 'group', 1) !== 1) throw new Error('grouped convolutions are not supported');
    const kernelSize = w.shape.slice(2);
    const strides = this.ints(
      node,
      'strides',
      kernelSize.map(() => 1),
    );
    const dilationRate = this.ints(
      node,
      'dilations',
      kernelSize.map(() => 1),
    );
    const padding = this.padding(node, kernelSize, strides, dilationRate);
    // ONNX [out, in, ...k] → Keras [...k, in, out]
    const p = permute(w.data as Float32Array, w.shape, [
      ...Array.from({ length: spatial }, (_, i) => i + 2),
      1,
      0,
    ]);
    const weights = [new Tensor(p.data, p.shape, 'float32'), ...(bias ? [bias] : [])];
    const cls = spatial === 2 ? 'Conv2D' : 'Conv1D';
    const y = this.apply(
      cls,
      { filters: w.shape[0], kernelSize, strides, dilationRate, padding, useBias: bias !== null },
      [this.inLayout(x, channelsFirst(r))],
      weights,
    );
    this.set(node.output[0]!, { t: y, perm: channelsFirst(r) });
  }

  private pool(node: OnnxNode): void {
    const x = this.tensor(node.input[0]);
    const r = x.t.shape.length;
    if (r !== 4) throw new Error(`only 2-D pooling is supported, input rank ${r}`);
    const poolSize = this.ints(node, 'kernel_shape', []);
    const strides = this.ints(
      node,
      'strides',
      poolSize.map(() => 1),
    );
    if (this.int(node, 'ceil_mode', 0) !== 0) throw new Error('ceil_mode=1 is not supported');
    if (
      node.opType === 'AveragePool' &&
      this.int(node, 'count_include_pad', 0) !== 0 &&
      this.padding(node, poolSize, strides, []) === 'same'
    )
      throw new Error("count_include_pad=1 differs from Keras's 'same' average pooling");
    const padding = this.padding(node, poolSize, strides, []);
    const cls = node.opType === 'MaxPool' ? 'MaxPooling2D' : 'AveragePooling2D';
    const y = this.apply(cls, { poolSize, strides, padding }, [this.inLayout(x, channelsFirst(r))]);
    this.set(node.output[0]!, { t: y, perm: channelsFirst(r) });
  }

  private reduce(node: OnnxNode): void {
    const x = this.tensor(node.input[0]);
    const r = x.t.shape.length;
    const axesInput = node.input[1] ? Array.from(this.constant(node.input[1], 'axes').data) : null;
    const axes = (axesInput ?? this.ints(node, 'axes', [])).map((a) => (a < 0 ? a + r : a));
    const keel = axes.map((a) => (x.perm ? x.perm[a]! : a)).sort();
    const keepdims = this.int(node, 'keepdims', 1) === 1;
    if (r !== 4 || keel.join() !== '1,2')
      throw new Error(
        `only global pooling over the spatial axes of a 4-D tensor is supported, axes [${axes}]`,
      );
    const cls = node.opType === 'ReduceMean' ? 'GlobalAveragePooling2D' : 'GlobalMaxPooling2D';
    const y = this.apply(cls, { keepdims }, [x.t]);
    const rest = keepdims ? x.perm : null;
    if (!keepdims && x.perm && x.perm.filter((p) => p === 0 || p === 3).join() !== '0,3')
      throw new Error('unsupported axis order');
    this.set(node.output[0]!, { t: y, perm: rest });
  }

  private batchNorm(node: OnnxNode): void {
    const x = this.tensor(node.input[0]);
    const [gamma, beta, mean, variance] = [1, 2, 3, 4].map((i) =>
      this.constant(node.input[i], `input ${i}`),
    );
    const axis = x.perm ? x.perm[1]! : 1;
    const epsilon = (this.attr(node, 'epsilon') as number | undefined) ?? 1e-5;
    const y = this.apply(
      'BatchNormalization',
      { axis, epsilon },
      [x.t],
      [gamma!, beta!, mean!, variance!],
    );
    this.set(node.output[0]!, { t: y, perm: x.perm });
  }

  private layerNorm(node: OnnxNode): void {
    const x = this.tensor(node.input[0]);
    const r = x.t.shape.length;
    let axis = this.int(node, 'axis', -1);
    if (axis < 0) axis += r;
    if (axis !== r - 1 || (x.perm && x.perm[r - 1] !== r - 1))
      throw new Error('only LayerNormalization over the last axis is supported');
    const gamma = this.constant(node.input[1], 'Scale');
    const beta =
      this.optionalConstant(node, 2) ??
      new Tensor(new Float32Array(gamma.size), gamma.shape, 'float32');
    const epsilon = (this.attr(node, 'epsilon') as number | undefined) ?? 1e-5;
    const y = this.apply('LayerNormalization', { axis: -1, epsilon }, [x.t], [gamma, beta]);
    this.set(node.output[0]!, { t: y, perm: x.perm });
  }

  private reshape(node: OnnxNode): void {
    const x = this.realize(this.tensor(node.input[0]));
    const shape = Array.from(this.constant(node.input[1], 'the shape').data);
    if (this.int(node, 'allowzero', 0) !== 0) throw new Error('allowzero=1 is not supported');
    if (shape[0] !== 0 && shape[0] !== -1)
      throw new Error(`Reshape must keep the batch axis (shape[0] = 0 or -1), got [${shape}]`);
    const target = shape.slice(1).map((d, i) => {
      if (d !== 0) return d;
      const keep = x.shape[i + 1];
      if (keep === null || keep === undefined)
        throw new Error(`Reshape copies unknown dimension ${i + 1}`);
      return keep;
    });
    this.set(node.output[0]!, {
      t: this.apply('Reshape', { targetShape: target }, [x]),
      perm: null,
    });
  }

  private recurrent(node: OnnxNode, index: number): void {
    const kind = node.opType;
    const gates = kind === 'LSTM' ? 4 : kind === 'GRU' ? 3 : 1;
    // ONNX gate order → Keel's: LSTM i,o,f,c → i,f,c,o; GRU z,r,h in both.
    const order = kind === 'LSTM' ? [0, 3, 1, 2] : kind === 'GRU' ? [0, 1, 2] : [0];
    if ((this.attr(node, 'direction') ?? 'forward') !== 'forward')
      throw new Error('only forward recurrences are supported');
    if (this.int(node, 'layout', 0) !== 0) throw new Error('only layout=0 is supported');
    if (node.input.slice(4).some((n, k) => n && !(k >= 1 && k <= 2 && this.zeroState(n))))
      throw new Error('sequence_lens, non-zero initial states and peepholes are not supported');
    const W = this.constant(node.input[1], 'W');
    const R = this.constant(node.input[2], 'R');
    const B = this.optionalConstant(node, 3);
    const units = this.int(node, 'hidden_size', R.shape.at(-1) ?? 0);
    if (
      W.rank !== 3 ||
      W.shape[0] !== 1 ||
      W.shape[1] !== gates * units ||
      R.shape.join() !== [1, gates * units, units].join()
    )
      throw new Error(`W [${W.shape}] / R [${R.shape}] do not match hidden_size ${units}`);
    const acts = this.attr(node, 'activations');
    if (Array.isArray(acts) && acts.length > 0) {
      const ok =
        kind === 'RNN'
          ? ['Tanh']
          : kind === 'LSTM'
            ? ['Sigmoid', 'Tanh', 'Tanh']
            : ['Sigmoid', 'Tanh'];
      if ((acts as unknown as string[]).join() !== ok.join())
        throw new Error(`activations [${acts}] are not supported`);
    }
    const fromOnnx = (t: Tensor, rows: number): Float32Array => {
      // [1, G·u, rows] → [rows, G·u] in Keel's gate order
      const p = permute(t.data as Float32Array, [gates * units, rows], [1, 0]).data;
      const out = new Float32Array(p.length);
      const cols = gates * units;
      for (let r = 0; r < rows; r++)
        order.forEach((g, i) => {
          out.set(
            p.subarray(r * cols + i * units, r * cols + (i + 1) * units),
            r * cols + g * units,
          );
        });
      return out;
    };
    const features = W.shape[2]!;
    const weights = [
      new Tensor(fromOnnx(W, features), [features, gates * units], 'float32'),
      new Tensor(fromOnnx(R, units), [units, gates * units], 'float32'),
    ];
    const resetAfter = kind === 'GRU' && this.int(node, 'linear_before_reset', 0) === 1;
    const biasBlocks = (data: Float32Array) =>
      fromOnnx(new Tensor(data, [1, gates * units, 1], 'float32'), 1);
    const b = B ? (B.data as Float32Array) : new Float32Array(2 * gates * units);
    const inputBias = biasBlocks(b.slice(0, gates * units));
    const recBias = biasBlocks(b.slice(gates * units));
    if (resetAfter) {
      const both = new Float32Array(2 * gates * units);
      both.set(inputBias, 0);
      both.set(recBias, gates * units);
      weights.push(new Tensor(both, [2, gates * units], 'float32'));
    } else {
      weights.push(
        new Tensor(
          inputBias.map((v, i) => v + recBias[i]!),
          [gates * units],
          'float32',
        ),
      );
    }
    const [Y, Yh] = node.output;
    const usesY = !!Y && (this.consumers.get(Y)?.length ?? 0) > 0;
    const usesYh = !!Yh && (this.consumers.get(Yh)?.length ?? 0) > 0;
    if (usesY && usesYh) throw new Error('using both Y and Y_h is not supported');
    const x = this.inLayout(this.tensor(node.input[0]), [1, 0, 2]);
    const cls = kind === 'RNN' ? 'SimpleRNN' : kind;
    const config: Record<string, unknown> = { units, returnSequences: usesY };
    if (kind === 'GRU') config['resetAfter'] = resetAfter;
    const y = this.apply(cls, config, [x], weights);
    if (usesY) this.values.set(Y!, { kind: 'rnnY', node: index });
    if (Yh) this.values.set(Yh, { kind: 'rnnYh', node: index });
    this.rnnOutputs.set(index, y);
  }

  private rnnOutputs = new Map<number, SymbolicTensor>();

  private squeeze(node: OnnxNode): void {
    const v = this.value(node.input[0]);
    const axes = node.input[1]
      ? Array.from(this.constant(node.input[1], 'axes').data)
      : this.ints(node, 'axes', []);
    if (v.kind === 'rnnY' && axes.join() === '1') {
      this.set(node.output[0]!, { t: this.rnnOutputs.get(v.node)!, perm: [1, 0, 2] });
      return;
    }
    if (v.kind === 'rnnYh' && axes.join() === '0') {
      this.set(node.output[0]!, { t: this.rnnOutputs.get(v.node)!, perm: null });
      return;
    }
    throw new Error('Squeeze is only supported on the outputs of LSTM/GRU/RNN');
  }
}
