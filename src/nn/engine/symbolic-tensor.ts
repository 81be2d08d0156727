import type { DType } from '../../tensor/dtype.js';
import type { Layer } from './layer.js';

/** A shape whose unknown dimensions (the batch, or a free sequence length) are null. */
export type SymbolicShape = readonly (number | null)[];

/** Where a symbolic tensor came from: the layer call that produced it. */
export interface LayerCall {
  readonly layer: Layer;
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  /** Extra keyword arguments of the call (e.g. `training`) that must be replayed. */
  readonly kwargs: Readonly<Record<string, unknown>>;
}

let nextId = 0;

/**
 * A placeholder that records a graph of layer calls instead of computing values: what `Input()`
 * returns and what calling a layer on one gives back. A functional Model replays the graph.
 */
export class SymbolicTensor {
  readonly id = nextId++;
  /** Set by the layer call that produced this tensor; null for an Input. */
  producer: LayerCall | null = null;

  constructor(
    readonly shape: SymbolicShape,
    readonly dtype: DType,
    readonly name: string,
  ) {}

  get rank(): number {
    return this.shape.length;
  }

  /** `SymbolicTensor(name=..., shape=[...], dtype=...)`, with `None` for unknown dimensions. */
  toString(): string {
    return `SymbolicTensor(name=${this.name}, shape=[${this.shape.map((d) => d ?? 'None').join(', ')}], dtype=${this.dtype})`;
  }
}

export function formatSymbolicShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? 'None' : String(d))).join(', ')}${shape.length === 1 ? ',' : ''})`;
}
