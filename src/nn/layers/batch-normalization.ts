import { noGrad } from '../../autograd/tape.js';
import { add, mean, mul, reshape, rsqrt, square, sub } from '../../ops/index.js';
import { normalizeAxis } from '../../tensor/shape.js';
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
import { builtWeight, singleInput, singleShape } from './internal/args.js';
import { regularizerConfig, resolveInitializer, resolveRegularizer } from './internal/config.js';
import { registerLayer } from './registry.js';

/** Options of the `BatchNormalization` layer. */
export interface BatchNormalizationArgs extends LayerArgs {
  /** The features axis, normalized per entry (the channels, last by default). */
  axis?: number;
  /** Weight of the old value in the moving statistics' update. */
  momentum?: number;
  /** Added to the variance before the square root. */
  epsilon?: number;
  /** Learn an offset beta. */
  center?: boolean;
  /** Learn a scale gamma. */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  movingMeanInitializer?: InitializerIdentifier;
  movingVarianceInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
}

/**
 * Batch normalization: y = gamma · (x - mean) / sqrt(variance + epsilon) + beta per feature of
 * `axis`. Training uses the batch's mean and (biased) variance and updates the moving statistics,
 * moving = moving · momentum + batch · (1 - momentum); inference uses the moving statistics.
 * Weights: gamma, beta, movingMean, movingVariance (the last two not trainable).
 * `new BatchNormalization({momentum: 0.9})`
 */
export class BatchNormalization extends Layer {
  static override className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: WeightInitializer;
  readonly gammaInitializer: WeightInitializer;
  readonly movingMeanInitializer: WeightInitializer;
  readonly movingVarianceInitializer: WeightInitializer;
  readonly betaRegularizer: WeightRegularizer | null;
  readonly gammaRegularizer: WeightRegularizer | null;
  gamma: Variable | null = null;
  beta: Variable | null = null;
  movingMean: Variable | null = null;
  movingVariance: Variable | null = null;
  /** The axis as a non-negative index, once built. */
  private featureAxis = -1;
  private builtRank = 0;

  constructor(args: BatchNormalizationArgs = {}) {
    super(args);
    const cls = 'BatchNormalization';
    this.axis = args.axis ?? -1;
    if (!Number.isInteger(this.axis))
      throw new TypeError(`${cls}: axis must be an integer, got ${this.axis}`);
    this.momentum = args.momentum ?? 0.99;
    if (!(this.momentum >= 0 && this.momentum <= 1))
      throw new RangeError(`${cls}: momentum must be in [0, 1], got ${this.momentum}`);
    this.epsilon = args.epsilon ?? 1e-3;
    if (!(this.epsilon > 0))
      throw new RangeError(`${cls}: epsilon must be > 0, got ${this.epsilon}`);
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
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
    this.movingMeanInitializer = resolveInitializer(
      cls,
      'movingMeanInitializer',
      args.movingMeanInitializer,
      'zeros',
    );
    this.movingVarianceInitializer = resolveInitializer(
      cls,
      'movingVarianceInitializer',
      args.movingVarianceInitializer,
      'ones',
    );
    this.betaRegularizer = resolveRegularizer(cls, 'betaRegularizer', args.betaRegularizer);
    this.gammaRegularizer = resolveRegularizer(cls, 'gammaRegularizer', args.gammaRegularizer);
    this.supportsMasking = true;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const axis = this.resolveAxis(shape);
    const dim = shape[axis];
    if (dim === null || dim === undefined)
      throw this.shapeError(`a known size on axis ${this.axis}`, shape);
    this.featureAxis = axis;
    this.builtRank = shape.length;
    if (this.scale) {
      this.gamma = this.addWeight('gamma', {
        shape: [dim],
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
      });
    }
    if (this.center) {
      this.beta = this.addWeight('beta', {
        shape: [dim],
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
      });
    }
    this.movingMean = this.addWeight('moving_mean', {
      shape: [dim],
      initializer: this.movingMeanInitializer,
      trainable: false,
    });
    this.movingVariance = this.addWeight('moving_variance', {
      shape: [dim],
      initializer: this.movingVarianceInitializer,
      trainable: false,
    });
    this.built = true;
  }

  private resolveAxis(shape: SymbolicShape): number {
    if (shape.length < 1 || this.axis >= shape.length || this.axis < -shape.length)
      throw this.shapeError(`a rank that has axis ${this.axis}`, shape);
    return normalizeAxis('BatchNormalization', this.axis, shape.length);
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const movingMean = builtWeight(this, this.movingMean);
    const movingVariance = builtWeight(this, this.movingVariance);
    this.computeOutputShape(x.shape);
    const dim = x.shape[this.featureAxis]!;
    // Per-feature tensors broadcast as [1, ..., dim, ..., 1].
    const bshape = x.shape.map((_, i) => (i === this.featureAxis ? dim : 1));
    let m: Tensor;
    let v: Tensor;
    if (args.training && this.trainable) {
      const axes = x.shape.map((_, i) => i).filter((i) => i !== this.featureAxis);
      m = mean(x, axes, true);
      v = mean(square(sub(x, m)), axes, true);
      this.updateMovingStatistics(reshape(m, [dim]), reshape(v, [dim]));
    } else {
      m = reshape(movingMean, bshape);
      v = reshape(movingVariance, bshape);
    }
    let factor = rsqrt(add(v, this.epsilon));
    if (this.gamma) factor = mul(factor, reshape(this.gamma, bshape));
    const y = mul(sub(x, m), factor);
    return this.beta ? add(y, reshape(this.beta, bshape)) : y;
  }

  private updateMovingStatistics(batchMean: Tensor, batchVariance: Tensor): void {
    const keep = this.momentum;
    noGrad(() => {
      for (const [moving, batch] of [
        [this.movingMean!, batchMean],
        [this.movingVariance!, batchVariance],
      ] as const) {
        moving.assign(add(mul(moving, keep), mul(batch, 1 - keep)));
      }
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const dim = this.movingMean?.shape[0];
    if (dim !== undefined) {
      const d = shape[this.featureAxis];
      if (shape.length !== this.builtRank || (d !== dim && d !== null)) {
        const expected = Array.from({ length: this.builtRank }, (_, i) =>
          i === this.featureAxis ? String(dim) : i === 0 ? 'None' : '*',
        );
        throw this.shapeError(`(${expected.join(', ')})`, shape);
      }
    } else {
      this.resolveAxis(shape);
    }
    return shape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializeInitializer(this.betaInitializer),
      gammaInitializer: serializeInitializer(this.gammaInitializer),
      movingMeanInitializer: serializeInitializer(this.movingMeanInitializer),
      movingVarianceInitializer: serializeInitializer(this.movingVarianceInitializer),
      betaRegularizer: regularizerConfig(this.betaRegularizer),
      gammaRegularizer: regularizerConfig(this.gammaRegularizer),
    };
  }

  /**
   * Rebuilds a `BatchNormalization` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): BatchNormalization {
    return new BatchNormalization(config as BatchNormalizationArgs);
  }
}

registerLayer(BatchNormalization);
