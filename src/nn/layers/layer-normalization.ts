import { layerNorm } from '../../ops/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
  type WeightInitializer,
  type WeightRegularizer,
} from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { singleInput, singleShape } from './internal/args.js';
import { regularizerConfig, resolveInitializer, resolveRegularizer } from './internal/config.js';
import { registerLayer } from './registry.js';

/** Options of the `LayerNormalization` layer. */
export interface LayerNormalizationArgs extends LayerArgs {
  /** The normalized axis; only the last axis (-1) is supported. */
  axis?: number;
  epsilon?: number;
  /** Add the learned offset beta. */
  center?: boolean;
  /** Multiply by the learned scale gamma. */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
}

/**
 * Normalizes each sample over its last axis: y = (x - mean) / √(var + ε) · gamma + beta, with
 * gamma and beta [features] (Keras's order: gamma, then beta). Runs the fused `layerNorm` op.
 * `new LayerNormalization({epsilon: 1e-5})`
 */
export class LayerNormalization extends Layer {
  static override className = 'LayerNormalization';
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: WeightInitializer;
  readonly gammaInitializer: WeightInitializer;
  readonly betaRegularizer: WeightRegularizer | null;
  readonly gammaRegularizer: WeightRegularizer | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;

  constructor(args: LayerNormalizationArgs = {}) {
    super(args);
    this.axis = args.axis ?? -1;
    if (this.axis !== -1)
      throw new RangeError(
        `LayerNormalization: only axis=-1 (the last axis) is supported, got ${this.axis}`,
      );
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(this.epsilon > 0))
      throw new RangeError(`LayerNormalization: epsilon must be > 0, got ${this.epsilon}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    const cls = 'LayerNormalization';
    this.betaInitializer = resolveInitializer(
      cls,
      'betaInitializer',
      args.betaInitializer,
      'zeros',
    );
    this.gammaInitializer = resolveInitializer(
      cls,
      'gammaInitializer',
      args.gammaInitializer,
      'ones',
    );
    this.betaRegularizer = resolveRegularizer(cls, 'betaRegularizer', args.betaRegularizer);
    this.gammaRegularizer = resolveRegularizer(cls, 'gammaRegularizer', args.gammaRegularizer);
    this.supportsMasking = true;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const features = shape.at(-1);
    if (shape.length < 1 || features === null || features === undefined)
      throw this.shapeError('(..., features) with a known last axis', shape);
    if (this.scale)
      this.gamma = this.addWeight('gamma', {
        shape: [features],
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
      });
    if (this.center)
      this.beta = this.addWeight('beta', {
        shape: [features],
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
      });
    this.built = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const features = (this.gamma ?? this.beta)?.shape[0];
    if (features !== undefined && x.shape.at(-1) !== features)
      throw this.shapeError(`(..., ${features})`, x.shape);
    return layerNorm(x, this.gamma, this.beta, this.epsilon);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      betaRegularizer: regularizerConfig(this.betaRegularizer),
      gammaRegularizer: regularizerConfig(this.gammaRegularizer),
    };
  }

  /**
   * Rebuilds a `LayerNormalization` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): LayerNormalization {
    return new LayerNormalization(config as LayerNormalizationArgs);
  }
}

registerLayer(LayerNormalization);
