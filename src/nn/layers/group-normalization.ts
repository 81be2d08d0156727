import { add, mean, mul, reshape, rsqrt, square, sub, transpose } from '../../ops/index.js';
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
import { layerLabel, positiveInt, singleInput, singleShape } from './internal/args.js';
import { regularizerConfig, resolveInitializer, resolveRegularizer } from './internal/config.js';
import { registerLayer } from './registry.js';

/** Options of the `GroupNormalization` layer. */
export interface GroupNormalizationArgs extends LayerArgs {
  /** Channel groups; must divide the channels (32 by default, as Keras). */
  groups?: number;
  /** The channels axis (-1 by default). */
  axis?: number;
  epsilon?: number;
  /** Learn an offset beta per channel. */
  center?: boolean;
  /** Learn a scale gamma per channel. */
  scale?: boolean;
  betaInitializer?: InitializerIdentifier;
  gammaInitializer?: InitializerIdentifier;
  betaRegularizer?: RegularizerIdentifier | null;
  gammaRegularizer?: RegularizerIdentifier | null;
}

/**
 * Group normalization (Wu & He 2018): the channels are split into `groups`; each sample's group is
 * normalized over its channels and every other non-batch axis, then scaled by gamma and shifted
 * by beta per channel (weights gamma [C], beta [C], Keras's order). groups = C is instance norm,
 * groups = 1 layer norm over all features. `new GroupNormalization({groups: 8})`
 */
export class GroupNormalization extends Layer {
  static override className = 'GroupNormalization';
  readonly groups: number;
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

  constructor(args: GroupNormalizationArgs = {}) {
    const cls = 'GroupNormalization';
    const { groups = 32, axis = -1, epsilon = 1e-3, center = true, scale = true, ...rest } = args;
    super(rest);
    this.groups = positiveInt(cls, 'groups', groups);
    if (!Number.isInteger(axis))
      throw new TypeError(`${cls}: axis must be an integer, got ${axis}`);
    this.axis = axis;
    if (typeof epsilon !== 'number' || !(epsilon > 0))
      throw new RangeError(`${cls}: epsilon must be a number > 0, got ${String(epsilon)}`);
    this.epsilon = epsilon;
    this.center = center;
    this.scale = scale;
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

  /** The channels axis as a non-negative index, checked against the input. */
  private channelsAxis(shape: SymbolicShape): number {
    const a = this.axis < 0 ? this.axis + shape.length : this.axis;
    const c = shape[a];
    if (shape.length < 2 || a < 1 || a >= shape.length || c === null || c === undefined)
      throw this.shapeError(`with a known channels axis ${this.axis}`, shape);
    if (c % this.groups !== 0)
      throw new RangeError(
        `${layerLabel(this)}: groups (${this.groups}) must divide the ${c} channels of input [${shape.map((d) => d ?? 'None').join(', ')}]`,
      );
    return a;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const c = shape[this.channelsAxis(shape)] as number;
    if (this.scale)
      this.gamma = this.addWeight('gamma', {
        shape: [c],
        initializer: this.gammaInitializer,
        regularizer: this.gammaRegularizer,
      });
    if (this.center)
      this.beta = this.addWeight('beta', {
        shape: [c],
        initializer: this.betaInitializer,
        regularizer: this.betaRegularizer,
      });
    this.built = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    let x = singleInput(this, inputs);
    const a = this.channelsAxis(x.shape);
    const last = x.rank - 1;
    // Channels last: [batch, ...rest, C] → [batch, rest, groups, C / groups].
    const perm = a === last ? null : [...x.shape.keys()].filter((d) => d !== a).concat(a);
    if (perm) x = transpose(x, perm);
    const c = x.shape[last]!;
    const grouped = reshape(x, [x.shape[0]!, -1, this.groups, c / this.groups]);
    const mu = mean(grouped, [1, 3], true);
    const centered = sub(grouped, mu);
    const inv = rsqrt(add(mean(square(centered), [1, 3], true), this.epsilon));
    let y = reshape(mul(centered, inv), x.shape);
    if (this.gamma) y = mul(y, this.gamma);
    if (this.beta) y = add(y, this.beta);
    return perm
      ? transpose(
          y,
          perm.map((_, i) => perm.indexOf(i)),
        )
      : y;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    this.channelsAxis(shape);
    return shape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      groups: this.groups,
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
   * Rebuilds a `GroupNormalization` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): GroupNormalization {
    return new GroupNormalization(config as GroupNormalizationArgs);
  }
}

registerLayer(GroupNormalization);
