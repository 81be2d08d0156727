import { pad, slice } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../engine/symbolic-tensor.js';
import { checkDataFormat, layerLabel, singleInput, singleShape } from './internal/args.js';

/** A number (every edge), one per axis (both edges of it), or [before, after] per axis. */
export type EdgeSpec = number | readonly number[] | readonly (readonly [number, number])[];

export interface SpatialEdgesArgs extends LayerArgs {
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
}

/**
 * Keras's padding/cropping argument as [before, after] per spatial axis: `1` → [[1, 1], [1, 1]],
 * `[1, 2]` → [[1, 1], [2, 2]] in 2-D (but [1, 2] = [before, after] in 1-D), or the pairs as given.
 */
export function edgePairs(cls: string, arg: string, v: unknown, rank: number): [number, number][] {
  const ok = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  let pairs: unknown[] | null = null;
  if (ok(v)) pairs = new Array(rank).fill([v, v]);
  else if (Array.isArray(v) && v.length === 2 && rank === 1 && v.every(ok)) pairs = [v];
  else if (Array.isArray(v) && v.length === rank && v.every(ok)) pairs = v.map((n) => [n, n]);
  else if (Array.isArray(v) && v.length === rank) pairs = v;
  if (pairs?.every((p) => Array.isArray(p) && p.length === 2 && p.every(ok)))
    return pairs.map((p) => [...(p as [number, number])] as [number, number]);
  const forms =
    rank === 1
      ? 'an integer >= 0 or [before, after]'
      : `an integer >= 0, ${rank} of them (one per axis), or ${rank} [before, after] pairs`;
  throw new RangeError(`${cls}: ${arg} must be ${forms}, got ${JSON.stringify(v)}`);
}

/**
 * The base of ZeroPadding1D/2D and Cropping1D/2D: adds (sign +1) or removes (sign -1) cells at both
 * edges of each spatial axis of [batch, ...spatial, channels] data.
 */
export abstract class BaseSpatialEdges extends Layer {
  readonly edges: [number, number][];
  readonly dataFormat = 'channels_last';

  protected constructor(
    readonly spatialRank: number,
    private readonly sign: 1 | -1,
    arg: string,
    value: unknown,
    args: SpatialEdgesArgs,
  ) {
    const { dataFormat, ...rest } = args as SpatialEdgesArgs & Record<string, unknown>;
    delete rest[arg];
    super(rest);
    const cls = (this.constructor as typeof Layer).className;
    checkDataFormat(cls, dataFormat);
    this.edges = edgePairs(cls, arg, value, spatialRank);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const out = this.computeOutputShape(x.shape) as number[];
    if (this.sign > 0) return pad(x, [[0, 0], ...this.edges, [0, 0]]);
    return slice(x, [0, ...this.edges.map((e) => e[0]), 0], out);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== this.spatialRank + 2) {
      const spatial = this.spatialRank === 1 ? 'steps' : 'height, width';
      throw this.shapeError(`(None, ${spatial}, channels)`, shape);
    }
    const out = shape.map((d, i) => {
      const e = this.edges[i - 1];
      return d === null || !e ? d : d + this.sign * (e[0] + e[1]);
    });
    if (out.some((d) => d !== null && d <= 0))
      throw new RangeError(
        `${layerLabel(this)}: cropping ${JSON.stringify(this.edges)} leaves nothing of input ${formatSymbolicShape(shape)}`,
      );
    return out;
  }

  /** The config entry: pairs in 2-D, [before, after] in 1-D (Keras's forms). */
  protected edgeConfig(): unknown {
    return this.spatialRank === 1 ? this.edges[0] : this.edges;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }
}
