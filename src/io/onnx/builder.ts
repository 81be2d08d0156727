import type { Tensor } from '../../tensor/tensor.js';
import { ATTR, ONNX_DTYPE, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './schema.js';

/** An attribute value: integers and integer lists are INT/INTS; use `float()` for FLOAT. */
export type AttrValue =
  | number
  | number[]
  | string
  | string[]
  | { float: number }
  | { floats: number[] };

/** A float attribute (plain numbers are written as INT). */
export const float = (v: number) => ({ float: v });

/**
 * Collects ONNX nodes and initializers while a model is converted; names stay unique.
 * `const y = b.node('Relu', [x])`
 */
export class OnnxBuilder {
  readonly nodes: OnnxNode[] = [];
  /** The opset being written (operators changed signature over versions, e.g. ReduceMean in 18). */
  constructor(readonly opset = 17) {}

  readonly initializers: OnnxTensor[] = [];
  private used = new Set<string>();

  /** A new unique value name built from `base`. */
  fresh(base: string): string {
    const clean = base.replace(/[^A-Za-z0-9_./:-]/g, '_');
    let name = clean;
    for (let i = 1; this.used.has(name); i++) name = `${clean}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Reserves a name as is (graph inputs). */
  reserve(name: string): string {
    this.used.add(name);
    return name;
  }

  /** A float32 initializer from data in row-major order. */
  floats(base: string, data: Float32Array | readonly number[], dims: readonly number[]): string {
    const name = this.fresh(base);
    const f = data instanceof Float32Array ? data : Float32Array.from(data);
    this.initializers.push({
      name,
      dims: [...dims],
      dataType: ONNX_DTYPE.FLOAT,
      rawData: new Uint8Array(f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength)),
    });
    return name;
  }

  /** An int64 initializer (shapes, axes). */
  int64s(base: string, data: readonly number[]): string {
    const name = this.fresh(base);
    const raw = new BigInt64Array(data.map((v) => BigInt(v)));
    this.initializers.push({
      name,
      dims: [data.length],
      dataType: ONNX_DTYPE.INT64,
      rawData: new Uint8Array(raw.buffer),
    });
    return name;
  }

  /** An int8, uint8 or int32 initializer (quantized weights, zero points, int32 biases). */
  ints(base: string, data: Int8Array | Uint8Array | Int32Array, dims: readonly number[]): string {
    const name = this.fresh(base);
    const dataType =
      data instanceof Int8Array
        ? ONNX_DTYPE.INT8
        : data instanceof Uint8Array
          ? ONNX_DTYPE.UINT8
          : ONNX_DTYPE.INT32;
    this.initializers.push({
      name,
      dims: [...dims],
      dataType,
      rawData: new Uint8Array(
        data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      ),
    });
    return name;
  }

  /** A float32 initializer holding a Keel tensor, optionally permuted (e.g. kernels to ONNX layout). */
  weight(base: string, t: Tensor, perm?: readonly number[]): string {
    if (!perm) return this.floats(base, t.data as Float32Array, t.shape);
    const { data, shape } = permute(t.data as Float32Array, t.shape, perm);
    return this.floats(base, data, shape);
  }

  /** Adds a node; returns its outputs (one fresh name per `outputs` count unless names are given). */
  node(
    opType: string,
    inputs: readonly string[],
    attrs: Record<string, AttrValue> = {},
    outputs: number | readonly string[] = 1,
  ): string[] {
    const outs =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => this.fresh(`${opType}${i ? `_${i}` : ''}`))
        : [...outputs];
    const attribute: OnnxAttribute[] = Object.entries(attrs).map(([name, v]) => toAttr(name, v));
    this.nodes.push({
      opType,
      input: [...inputs],
      output: outs,
      name: this.fresh(`node_${opType}`),
      attribute,
    });
    return outs;
  }

  /** Adds a single-output node and returns its output name. */
  op(opType: string, inputs: readonly string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(opType, inputs, attrs)[0]!;
  }
}

function toAttr(name: string, v: AttrValue): OnnxAttribute {
  if (typeof v === 'string') return { name, type: ATTR.STRING, s: new TextEncoder().encode(v) };
  if (typeof v === 'number') return { name, type: ATTR.INT, i: v };
  if (Array.isArray(v) && v.every((x) => typeof x === 'string'))
    return { name, type: ATTR.STRINGS, strings: v.map((x) => new TextEncoder().encode(x)) };
  if (Array.isArray(v)) return { name, type: ATTR.INTS, ints: v as number[] };
  if ('float' in v) return { name, type: ATTR.FLOAT, f: v.float };
  return { name, type: ATTR.FLOATS, floats: v.floats };
}

/** Row-major transpose of a float array: out[i...] = in[i[perm]...]. */
export function permute(
  data: Float32Array,
  shape: readonly number[],
  perm: readonly number[],
): { data: Float32Array; shape: number[] } {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let i = rank - 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i]!;
  }
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let off = 0;
    for (let k = 0; k < rank; k++) off += idx[k]! * inStrides[perm[k]!]!;
    out[o] = data[off]!;
    for (let k = rank - 1; k >= 0; k--) {
      if (++idx[k]! < outShape[k]!) break;
      idx[k] = 0;
    }
  }
  return { data: out, shape: outShape };
}
