import { slice } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `Slice` layer: one axis (not the batch) and its half-open range [start, end). */
export interface SliceArgs extends LayerArgs {
  axis: number;
  start: number;
  end: number;
}

/**
 * Keeps indices [start, end) of one non-batch axis: y = x[..., start:end, ...] (ONNX Slice and
 * Split of a computed tensor, `x[:, 1:5]` in PyTorch). `new Slice({axis: 1, start: 1, end: 5})`
 */
export class Slice extends Layer {
  static override className = 'Slice';
  readonly axis: number;
  readonly start: number;
  readonly end: number;

  constructor(args: SliceArgs) {
    super(args);
    const { axis, start, end } = args;
    if (!Number.isInteger(axis) || axis < 1)
      throw new RangeError(`Slice: axis must be an integer >= 1 (not the batch), got ${axis}`);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end <= start)
      throw new RangeError(`Slice: expected integers 0 <= start < end, got [${start}, ${end})`);
    this.axis = axis;
    this.start = start;
    this.end = end;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const begin = x.shape.map((_, i) => (i === this.axis ? this.start : 0));
    const size = x.shape.map((d, i) => (i === this.axis ? this.end - this.start : d));
    return slice(x, begin, size);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const d = shape[this.axis];
    if (this.axis >= shape.length || (d !== null && d !== undefined && this.end > d))
      throw this.shapeError(`axis ${this.axis} with at least ${this.end} entries`, shape);
    return shape.map((v, i) => (i === this.axis ? this.end - this.start : v));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, start: this.start, end: this.end };
  }

  /** Rebuilds a `Slice` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Slice {
    return new Slice(config as unknown as SliceArgs);
  }
}

registerLayer(Slice);
