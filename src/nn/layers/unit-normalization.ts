import { minimum, mul, rsqrt, square, sum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `UnitNormalization` layer. */
export interface UnitNormalizationArgs extends LayerArgs {
  /** The axis (or axes) whose L2 norm becomes 1; -1 by default. */
  axis?: number | readonly number[];
}

/**
 * Scales x to unit L2 norm along `axis`: y = x · min(1 / sqrt(sum(x²)), 1e12), Keras's formula
 * (a zero vector stays zero). `new UnitNormalization()`
 */
export class UnitNormalization extends Layer {
  static override className = 'UnitNormalization';
  readonly axis: number | number[];

  constructor(args: UnitNormalizationArgs = {}) {
    const { axis = -1, ...rest } = args;
    super(rest);
    const axes = typeof axis === 'number' ? [axis] : [...axis];
    if (axes.length === 0 || axes.some((a) => !Number.isInteger(a)))
      throw new RangeError(
        `UnitNormalization: axis must be an integer or a non-empty list of integers, got ${JSON.stringify(axis)}`,
      );
    this.axis = typeof axis === 'number' ? axis : axes;
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const axes = typeof this.axis === 'number' ? [this.axis] : this.axis;
    return mul(x, minimum(rsqrt(sum(square(x), axes, true)), 1e12));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const axes = typeof this.axis === 'number' ? [this.axis] : this.axis;
    for (const a of axes)
      if (a < -shape.length || a >= shape.length || a === 0 || a === -shape.length)
        throw new RangeError(
          `${layerLabel(this)}: axis ${a} is not a feature axis of input [${shape.map((d) => d ?? 'None').join(', ')}]`,
        );
    return shape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }

  /** Rebuilds an `UnitNormalization` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): UnitNormalization {
    return new UnitNormalization(config as UnitNormalizationArgs);
  }
}

registerLayer(UnitNormalization);
