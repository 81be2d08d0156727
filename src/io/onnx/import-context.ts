import type { SymbolicTensor } from '../../nn/engine/symbolic-tensor.js';
import type { Tensor } from '../../tensor/tensor.js';
import { ATTR, type OnnxNode } from './schema.js';

/** An ONNX value as Keel holds it: ONNX value = transpose(t, perm); perm null means identity. */
export interface Rec {
  t: SymbolicTensor;
  perm: number[] | null;
}

/**
 * A value of the graph being imported: a Keel tensor (in some layout), a constant, or an output of
 * a recurrent node, which only a Squeeze may read (`t` is the recurrent layer's output).
 */
export type Value =
  | { kind: 'tensor'; rec: Rec }
  | { kind: 'const'; tensor: Tensor }
  | { kind: 'rnnY' | 'rnnYh'; t: SymbolicTensor }
  /** An integer vector (or scalar) computed from static shapes; null is the unknown batch size. */
  | { kind: 'shape'; dims: (number | null)[]; scalar: boolean };

/** What a node importer may read and write: the graph, its values and the layers made so far. */
export interface ImportContext {
  /** The file (or label) being imported, for messages. */
  readonly source: string;
  readonly nodes: readonly OnnxNode[];
  /** The values bound so far (initializers, Constants, converted outputs). */
  readonly values: ReadonlyMap<string, Value>;
  /** A bound value; throws when no earlier node produced `name`. */
  value(name: string | undefined): Value;
  /** A computed tensor; throws for constants and recurrent outputs. */
  tensor(name: string | undefined): Rec;
  /** An initializer or Constant; `what` names it in the error. */
  constant(name: string | undefined, what: string): Tensor;
  /** Input `i` of `node` as a constant, or null where the input is absent. */
  optionalConstant(node: OnnxNode, i: number): Tensor | null;
  /** Binds `name` to a tensor. */
  set(name: string, rec: Rec): void;
  /** Binds `name` to any value (aliases, recurrent outputs). */
  setValue(name: string, value: Value): void;
  /** The Keel tensor equal to the ONNX value (a Permute layer when the layouts differ). */
  realize(rec: Rec): SymbolicTensor;
  /** A Keel tensor u with ONNX value = transpose(u, layout). */
  inLayout(rec: Rec, layout: number[]): SymbolicTensor;
  /** Applies a new layer of `className` to `inputs`, then sets its weights. */
  apply(
    className: string,
    config: Record<string, unknown>,
    inputs: SymbolicTensor[],
    weights?: Tensor[],
  ): SymbolicTensor;
  /** Indices of the live nodes reading `name`. */
  consumers(name: string): readonly number[];
  /** The index of the only node reading `name` if it is an `opType`, else null. */
  onlyConsumer(name: string, opType: string): number | null;
  /** Marks a node as converted already (the rest of a pattern one importer consumed). */
  skip(index: number): void;
  /** True for an initial state built by ConstantOfShape with value 0 (PyTorch's default h0/c0). */
  zeroState(name: string): boolean;
}

/** Converts one ONNX node (`index` in the graph), binding its outputs in the context. */
export type NodeImporter = (c: ImportContext, node: OnnxNode, index: number) => void;

/** The permutation from channels-last to channels-first: [0, r-1, 1, ..., r-2]. */
export const channelsFirst = (r: number) => [
  0,
  r - 1,
  ...Array.from({ length: r - 2 }, (_, i) => i + 1),
];
const isIdentity = (p: readonly number[]) => p.every((v, i) => v === i);
export const inverse = (p: readonly number[]) => p.map((_, i) => p.indexOf(i));
/** transpose(transpose(t, a), b) = transpose(t, compose(a, b)). */
export const compose = (a: readonly number[] | null, b: readonly number[]) => {
  const c = b.map((i) => (a ? a[i]! : i));
  return isIdentity(c) ? null : c;
};

/** A node attribute as a number, list or string; undefined when absent or of another type. */
export function attr(node: OnnxNode, name: string): number | number[] | string | undefined {
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

/** An integer (or float) attribute, `fallback` when absent. */
export function intAttr(node: OnnxNode, name: string, fallback: number): number {
  const v = attr(node, name);
  if (v === undefined) return fallback;
  if (typeof v !== 'number') throw new Error(`attribute ${name} must be a number`);
  return v;
}

/** A list-of-integers attribute, `fallback` when absent. */
export function intsAttr(node: OnnxNode, name: string, fallback: number[]): number[] {
  const v = attr(node, name);
  if (v === undefined) return fallback;
  if (!Array.isArray(v)) throw new Error(`attribute ${name} must be a list of integers`);
  return v as number[];
}
