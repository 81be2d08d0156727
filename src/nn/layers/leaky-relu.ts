import { leakyRelu } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `LeakyReLU` layer. */
export interface LeakyReLUArgs extends LayerArgs {
  /** Slope for x < 0; Keras 3's default 0.3. */
  negativeSlope?: number;
  /** Keras 2's (and TF.js's) name for negativeSlope. */
  alpha?: number;
}

/** y = x for x >= 0, negativeSlope · x otherwise. `new LeakyReLU({negativeSlope: 0.1})` */
export class LeakyReLU extends Layer {
  static override className = 'LeakyReLU';
  readonly negativeSlope: number;

  constructor(args: LeakyReLUArgs = {}) {
    const { alpha, negativeSlope, ...rest } = args;
    super(rest);
    if (alpha !== undefined && negativeSlope !== undefined && alpha !== negativeSlope)
      throw new RangeError(
        `LeakyReLU: give negativeSlope or its Keras 2 name alpha, not both (${negativeSlope} and ${alpha})`,
      );
    const slope = negativeSlope ?? alpha ?? 0.3;
    if (typeof slope !== 'number' || !(slope >= 0) || !Number.isFinite(slope))
      throw new RangeError(
        `LeakyReLU: negativeSlope must be a finite number >= 0, got ${String(slope)}`,
      );
    this.negativeSlope = slope;
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    return leakyRelu(singleInput(this, inputs), this.negativeSlope);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), negativeSlope: this.negativeSlope };
  }

  /** Rebuilds a `LeakyReLU` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): LeakyReLU {
    return new LeakyReLU(config as LeakyReLUArgs);
  }
}

registerLayer(LeakyReLU);
