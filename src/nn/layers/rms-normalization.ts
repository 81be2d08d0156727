import { rmsNorm } from '../../ops/index.js';
import { ones } from '../../tensor/create.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `RMSNormalization` layer. */
export interface RMSNormalizationArgs extends LayerArgs {
  /** The normalized axis; only the last axis (-1) is supported. */
  axis?: number;
  epsilon?: number;
}

/**
 * Root-mean-square normalization over the last axis (Keras 3.9's RMSNormalization):
 * y = x / √(mean(x²) + ε) · scale, with one learned weight `scale` [features] initialized to ones.
 * `new RMSNormalization()`
 */
export class RMSNormalization extends Layer {
  static override className = 'RMSNormalization';
  readonly axis: number;
  readonly epsilon: number;
  scale: Variable | null = null;

  constructor(args: RMSNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    if (this.axis !== -1)
      throw new RangeError(
        `RMSNormalization: only axis=-1 (the last axis) is supported, got ${this.axis}`,
      );
    this.epsilon = args.epsilon ?? 1e-6;
    if (!(this.epsilon > 0))
      throw new RangeError(`RMSNormalization: epsilon must be > 0, got ${this.epsilon}`);
    this.supportsMasking = true;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const features = shape.at(-1);
    if (features === null || features === undefined)
      throw this.shapeError('(..., features) with a known last axis', shape);
    this.scale = this.addWeight('scale', {
      shape: [features],
      initializer: (s) => ones(s),
    });
    this.built = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const features = this.scale?.shape[0];
    if (features !== undefined && x.shape.at(-1) !== features)
      throw this.shapeError(`(..., ${features})`, x.shape);
    return rmsNorm(x, this.scale, this.epsilon);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis, epsilon: this.epsilon };
  }

  /** Rebuilds a `RMSNormalization` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RMSNormalization {
    return new RMSNormalization(config as RMSNormalizationArgs);
  }
}

registerLayer(RMSNormalization);
