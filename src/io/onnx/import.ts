import { dirname } from 'node:path';
import { Model } from '../../models/model.js';
import type { Layer } from '../../nn/engine/layer.js';
import { weightBudget } from '../../nn/engine/layer.js';
import type { SymbolicTensor } from '../../nn/engine/symbolic-tensor.js';
import { Input } from '../../nn/layers/input-layer.js';
import { deserializeLayer } from '../../nn/layers/registry.js';
import { Tensor } from '../../tensor/tensor.js';
import { activationBytes, withLoadBudget } from '../load-budget.js';
import { readFileBounded } from '../safetensors-read.js';
import { decodeOnnx, initializerTensor } from './decode.js';
import { resolveExternalData } from './external-data.js';
import { type AttentionMatch, findAttention, type GraphView } from './import-attention.js';
import { FOLDED_OPS, foldConstant } from './import-constant-folding.js';
import {
  compose,
  type ImportContext,
  inverse,
  type NodeImporter,
  type Rec,
  type Value,
} from './import-context.js';
import { ELEMENTWISE_IMPORTERS } from './import-elementwise.js';
import { INT8_IMPORTERS } from './import-int8.js';
import { LAYER_IMPORTERS } from './import-layers.js';
import { PAD_RESIZE_IMPORTERS } from './import-pad-resize.js';
import { RECURRENT_IMPORTERS } from './import-recurrent.js';
import { SHAPE_IMPORTERS } from './import-shape.js';
import { foldShapeArithmetic } from './import-shape-arithmetic.js';
import { SLICE_IMPORTERS } from './import-slice.js';
import { ATTR, ONNX_DTYPE, type OnnxNode, type OnnxTensor } from './schema.js';
// Every built-in layer must be registered before a file naming it can be loaded.
import '../../nn/layers/index.js';

/** ONNX op type → importer (a Map, so no op type can name an Object.prototype member). */
const IMPORTERS: ReadonlyMap<string, NodeImporter> = new Map(
  Object.entries({
    ...ELEMENTWISE_IMPORTERS,
    ...SHAPE_IMPORTERS,
    ...LAYER_IMPORTERS,
    ...RECURRENT_IMPORTERS,
    ...PAD_RESIZE_IMPORTERS,
    ...SLICE_IMPORTERS,
    ...INT8_IMPORTERS,
  }),
);

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
export function importOnnx(
  bytes: Uint8Array,
  source = 'onnx model',
  options: ImportOnnxOptions = {},
): Model {
  const maxNodes = options.maxNodes ?? DEFAULT_MAX_NODES;
  if (!(maxNodes >= 0)) throw new RangeError(`${source}: maxNodes must be >= 0, got ${maxNodes}`);
  const onnx = decodeOnnx(bytes, source, maxNodes);
  const graph = onnx.graph;
  const values = new Map<string, Value>();
  let elements = 1024;
  let tensorBytes = 0;
  for (const init of graph.initializer ?? []) {
    const t = initializerTensor(
      resolveExternalData(init, options.externalDataDir ?? null, source),
      source,
    );
    if (values.has(init.name))
      throw new Error(`${source}: initializer '${init.name}' is given twice`);
    elements += t.size;
    tensorBytes += t.data.byteLength;
    values.set(init.name, { kind: 'const', tensor: t });
  }
  const extra = activationBytes(options.maxActivationBytes, tensorBytes, source);
  // The layers' weights and their re-laid-out copies (twice the initializers) plus what shape
  // inference, dry runs and constant folding allocate.
  const budget = {
    weightElements: elements,
    bytes: 2 * tensorBytes + extra,
    skipInitializers: false,
  };
  try {
    return withLoadBudget(budget, () => new Importer(source, graph.node ?? [], values).run(graph));
  } catch (e) {
    const msg = (e as Error)?.message ?? String(e);
    throw new Error(msg.startsWith(source) ? msg : `${source}: ${msg}`);
  }
}

/** Options of `importOnnx`. */
export interface ImportOnnxOptions {
  /**
   * The folder initializers stored as external data are read from (the model file's folder);
   * their locations must stay inside it. Without it such a model is refused.
   */
  externalDataDir?: string;
  /**
   * Bytes the conversion may allocate beyond the initializers (layers' dry runs, folded
   * constants): default the larger of 64 MiB and 16 times the initializers' bytes. A graph that
   * needs more (a Reshape or a declared input of 2^40 elements feeding a layer) is an error.
   */
  maxActivationBytes?: number;
  /** Most graph nodes accepted (default 100,000): each becomes a layer, about 2 KB and 0.1 ms. */
  maxNodes?: number;
}

/** The default of `ImportOnnxOptions.maxNodes`. */
export const DEFAULT_MAX_NODES = 100_000;

/** Reads an ONNX file and converts it (see `importOnnx`); external data is read from its folder. */
export function loadOnnx(
  path: string,
  options: Omit<ImportOnnxOptions, 'externalDataDir'> = {},
): Model {
  return importOnnx(readFileBounded(path, 'loadOnnx'), path, {
    ...options,
    externalDataDir: dirname(path),
  });
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

/** The graph walk: which nodes are live, the values bound so far, and the dispatch to IMPORTERS. */
class Importer implements ImportContext {
  private consumerLists = new Map<string, number[]>();
  private producers = new Map<string, number>();
  private skipped = new Set<number>();
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
        this.skipped.add(i);
      }
    });
    this.countConsumers(() => true);
  }

  private countConsumers(live: (i: number) => boolean): void {
    this.consumerLists.clear();
    this.nodes.forEach((n, i) => {
      if (!live(i)) return;
      for (const x of n.input ?? []) {
        if (!x) continue;
        const list = this.consumerLists.get(x);
        if (list) list.push(i);
        else this.consumerLists.set(x, [i]);
      }
    });
  }

  /** The graph as the attention matcher sees it; Shape nodes (shape arithmetic) are not consumers. */
  private view(inputs: Map<string, (number | null)[]>): GraphView {
    return {
      nodes: this.nodes,
      producer: (name) => this.producers.get(name),
      consumers: (name) => this.consumers(name).filter((i) => this.nodes[i]!.opType !== 'Shape'),
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

  zeroState(name: string): boolean {
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
    // Every node Keel cannot convert is reported, not only the first: a refused node's outputs
    // are marked failed, and the nodes that read them are passed over (their inputs do not exist)
    // unless their operator is itself unsupported, which the first such node's message lists.
    const problems: string[] = [];
    const failed = new Set<string>();
    let opsListed = false;
    this.nodes.forEach((node, i) => {
      if (this.skipped.has(i) || !live.has(i)) return;
      const where = `node ${i} '${node.name ?? ''}' (${node.opType})`;
      const unsupported = !this.attention.has(i) && !this.isKnownOp(node);
      if (unsupported || node.input.some((x) => x && failed.has(x))) {
        for (const o of node.output) if (o) failed.add(o);
        if (unsupported && !opsListed) problems.push(`${where}: ${this.unsupportedOps(live, i)}`);
        opsListed ||= unsupported;
        return;
      }
      try {
        const m = this.attention.get(i);
        if (m) this.emitAttention(m);
        else if (!foldConstant(this, node) && !foldShapeArithmetic(this, node)) {
          const convert = IMPORTERS.get(node.opType);
          if (!convert) throw new Error(`operator ${node.opType} could not be folded at import`);
          convert(this, node, i);
        }
      } catch (e) {
        problems.push(`${where}: ${(e as Error).message}`);
        for (const o of node.output) if (o) failed.add(o);
      }
    });
    if (problems.length === 1) throw new Error(problems[0]);
    if (problems.length > 1)
      throw new Error(
        `cannot import this model; ${problems.length} unsupported item(s):\n  - ${problems.join('\n  - ')}`,
      );
    const outputs = (graph.output ?? []).map((o) => this.realize(this.tensor(o.name)));
    if (inputs.length === 0 || outputs.length === 0)
      throw new Error('the graph needs at least one input and one output');
    return new Model({
      inputs: inputs.length === 1 ? inputs[0]! : inputs,
      outputs: outputs.length === 1 ? outputs[0]! : outputs,
      name: graph.name || undefined,
    });
  }

  /** Whether the node's operator has an importer or is folded at import (shape arithmetic). */
  private isKnownOp(node: OnnxNode): boolean {
    return IMPORTERS.has(node.opType) || FOLDED_OPS.has(node.opType);
  }

  /**
   * The error for an operator Keel has no importer for, listing every such operator of the live
   * graph from node `first` on, so a user learns all of them at once.
   */
  private unsupportedOps(live: Set<number>, first: number): string {
    const found = new Map<string, string[]>();
    this.nodes.forEach((n, i) => {
      if (i < first || !live.has(i) || this.skipped.has(i) || this.attention.has(i)) return;
      if (this.isKnownOp(n)) return;
      const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
      found.set(key, [...(found.get(key) ?? []), n.name ? `'${n.name}'` : `#${i}`]);
    });
    const list = [...found]
      .map(([op, names]) => {
        const shown = names.length > 5 ? [...names.slice(0, 5), '...'] : names;
        return `${op} (${names.length} node${names.length > 1 ? 's' : ''}: ${shown.join(', ')})`;
      })
      .join(', ');
    const op = this.nodes[first]!.opType;
    return `operator ${op} is not supported by loadOnnx; the graph's unsupported operators: ${list}`;
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

  value(name: string | undefined): Value {
    const v = name ? this.values.get(name) : undefined;
    if (!v) throw new Error(`value '${name}' is not produced by any earlier node`);
    return v;
  }

  tensor(name: string | undefined): Rec {
    const v = this.value(name);
    if (v.kind !== 'tensor')
      throw new Error(
        `'${name}' must be a computed tensor, not a ${v.kind === 'const' ? 'constant' : 'recurrent output'}`,
      );
    return v.rec;
  }

  constant(name: string | undefined, what: string): Tensor {
    const v = this.value(name);
    if (v.kind === 'shape' && v.dims.every((d) => d !== null)) {
      const data = Int32Array.from(v.dims as number[]);
      return new Tensor(data, v.scalar ? [] : [data.length], 'int32');
    }
    if (v.kind !== 'const') throw new Error(`${what} ('${name}') must be an initializer`);
    return v.tensor;
  }

  optionalConstant(node: OnnxNode, i: number): Tensor | null {
    const name = node.input[i];
    return name ? this.constant(name, `input ${i}`) : null;
  }

  set(name: string, rec: Rec): void {
    this.values.set(name, { kind: 'tensor', rec });
  }

  /** The Keel tensor equal to the ONNX value (a Permute layer when the layouts differ). */
  realize(rec: Rec): SymbolicTensor {
    if (!rec.perm) return rec.t;
    if (rec.perm[0] !== 0) throw new Error(`cannot move the batch axis (transpose [${rec.perm}])`);
    return this.apply('Permute', { dims: rec.perm.slice(1) }, [rec.t]);
  }

  /** A Keel tensor u with ONNX value = transpose(u, layout). */
  inLayout(rec: Rec, layout: number[]): SymbolicTensor {
    return this.realize({ t: rec.t, perm: compose(rec.perm, inverse(layout)) });
  }

  apply(
    className: string,
    config: Record<string, unknown>,
    inputs: SymbolicTensor[],
    weights?: Tensor[],
  ): SymbolicTensor {
    const layer: Layer = deserializeLayer({ className, config });
    // Weights from the file replace the initial ones: their initializers would be wasted work.
    const skip = weightBudget.skipInitializers;
    weightBudget.skipInitializers = skip || weights !== undefined;
    let y: SymbolicTensor | SymbolicTensor[];
    try {
      y = inputs.length === 1 ? layer.apply(inputs[0]!) : layer.apply(inputs);
    } finally {
      weightBudget.skipInitializers = skip;
    }
    if (weights) layer.setWeights(weights);
    if (Array.isArray(y)) throw new Error(`${className} returned several tensors`);
    return y as SymbolicTensor;
  }

  setValue(name: string, value: Value): void {
    this.values.set(name, value);
  }

  consumers(name: string): readonly number[] {
    return this.consumerLists.get(name) ?? [];
  }

  onlyConsumer(name: string, opType: string): number | null {
    const list = this.consumers(name);
    return list.length === 1 && this.nodes[list[0]!]!.opType === opType ? list[0]! : null;
  }

  skip(index: number): void {
    this.skipped.add(index);
  }
}
