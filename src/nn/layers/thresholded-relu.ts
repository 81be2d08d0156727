import { cast, greater, mul } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `ThresholdedReLU` layer. */
export interface ThresholdedReLUArgs extends LayerArgs {
  /** Inputs at or below it give 0 (Keras 2's default 1). */
  theta?: number;
}

/**
 * Keras 2's (and TF.js's) ThresholdedReLU: y = x for x > theta, 0 otherwise; any shape.
 * `new ThresholdedReLU({theta: 0.5})`
 */
export class ThresholdedReLU extends Layer {
  static override className = 'ThresholdedReLU';
  readonly theta: number;

  constructor(args: ThresholdedReLUArgs = {}) {
    const { theta = 1, ...rest } = args;
    super(rest);
    if (typeof theta !== 'number' || !Number.isFinite(theta) || theta < 0)
      throw new RangeError(
        `ThresholdedReLU: theta must be a finite number >= 0, got ${String(theta)}`,
      );
    this.theta = theta;
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    return mul(x, cast(greater(x, this.theta), 'float32'));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), theta: this.theta };
  }

  /** Rebuilds a `ThresholdedReLU` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): ThresholdedReLU {
    return new ThresholdedReLU(config as ThresholdedReLUArgs);
  }
}

registerLayer(ThresholdedReLU);
