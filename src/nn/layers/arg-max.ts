import { argmax, expandDims } from '../../ops/index.js';
import { normalizeAxis } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `ArgMax` layer. */
export interface ArgMaxArgs extends LayerArgs {
  /** The axis searched (default -1, the classes of a classifier's output). */
  axis?: number;
  /** Keep the searched axis with size 1 (ONNX ArgMax's default), or drop it (the default here). */
  keepdims?: boolean;
}

/**
 * The index of the largest value along `axis`, as int32: a classifier's predicted class inside
 * the model, as PyTorch and tf2onnx exports end with (ONNX ArgMax). Keras writes this as a
 * Lambda; Keel has it as a layer so that it saves, loads and exports. Not differentiable: use it
 * after training, on a model's output. `new ArgMax({ axis: -1 })`
 */
export class ArgMax extends Layer {
  static override className = 'ArgMax';
  readonly axis: number;
  readonly keepdims: boolean;

  constructor(args: ArgMaxArgs = {}) {
    super({ ...args, dtype: 'int32' });
    this.axis = args.axis ?? -1;
    this.keepdims = args.keepdims ?? false;
    if (!Number.isInteger(this.axis))
      throw new TypeError(`ArgMax: axis must be an integer, got ${args.axis}`);
  }

  private resolved(rank: number, shape: readonly (number | null)[]): number {
    if (this.axis >= rank || this.axis < -rank)
      throw this.shapeError(`a rank that has axis ${this.axis}`, shape);
    const a = normalizeAxis('ArgMax', this.axis, rank);
    if (a === 0) throw new RangeError(`ArgMax '${this.name}': axis ${this.axis} is the batch axis`);
    return a;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const a = this.resolved(x.rank, x.shape);
    const y = argmax(x, a);
    return this.keepdims ? expandDims(y, a) : y;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const a = this.resolved(shape.length, shape);
    return this.keepdims ? shape.map((d, i) => (i === a ? 1 : d)) : shape.filter((_, i) => i !== a);
  }

  override getConfig(): Record<string, unknown> {
    const { dtype: _int32, ...base } = super.getConfig();
    return { ...base, axis: this.axis, keepdims: this.keepdims };
  }

  /** Rebuilds an `ArgMax` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): ArgMax {
    return new ArgMax(config as ArgMaxArgs);
  }
}

registerLayer(ArgMax);
