import { concat } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import {
  type CallArgs,
  isShapeList,
  Layer,
  type LayerArgs,
  type LayerInput,
} from '../engine/layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `Concatenate` layer. */
export interface ConcatenateArgs extends LayerArgs {
  /** The axis to join along (default -1, the features). */
  axis?: number;
}

/**
 * Joins a list of inputs along `axis`; every other axis must match.
 * `new Concatenate().apply([a, b])`: [N, 3] and [N, 5] give [N, 8].
 */
export class Concatenate extends Layer {
  static override className = 'Concatenate';
  readonly axis: number;

  constructor(args: ConcatenateArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new TypeError(`Concatenate: axis must be an integer, got ${this.axis}`);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const xs = Array.isArray(inputs) ? inputs : [inputs];
    this.outputShapeOf(xs.map((x) => x.shape));
    const rank = xs[0]!.rank;
    return concat(xs, this.axis < 0 ? this.axis + rank : this.axis);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return this.outputShapeOf(isShapeList(inputShape) ? inputShape : [inputShape as SymbolicShape]);
  }

  private outputShapeOf(shapes: readonly SymbolicShape[]): SymbolicShape {
    const fail = (why: string): never => {
      throw new RangeError(
        `${layerLabel(this)}: ${why}; got ${shapes.map(formatSymbolicShape).join(', ')} (axis ${this.axis})`,
      );
    };
    if (shapes.length < 2) fail('expects a list of at least 2 inputs');
    const rank = shapes[0]!.length;
    const ax = this.axis < 0 ? this.axis + rank : this.axis;
    if (ax < 0 || ax >= rank) fail(`axis is out of range for rank ${rank}`);
    if (shapes.some((s) => s.length !== rank)) fail('inputs must have the same rank');
    const out = [...shapes[0]!];
    for (const s of shapes.slice(1)) {
      for (let i = 0; i < rank; i++) {
        if (i === ax) {
          out[i] = out[i] === null || s[i] === null ? null : out[i]! + s[i]!;
        } else if (out[i] === null) out[i] = s[i]!;
        else if (s[i] !== null && s[i] !== out[i])
          fail(`inputs must match on every axis but ${ax}`);
      }
    }
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }

  /** Rebuilds a `Concatenate` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Concatenate {
    return new Concatenate(config as ConcatenateArgs);
  }
}

registerLayer(Concatenate);
