import { add, mul, neg, relu } from '../../ops/index.js';
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
import { builtWeight, layerLabel, singleInput, singleShape } from './internal/args.js';
import { regularizerConfig, resolveInitializer, resolveRegularizer } from './internal/config.js';
import { registerLayer } from './registry.js';

/** Options of the `PReLU` layer. */
export interface PReLUArgs extends LayerArgs {
  /** Zeros by default. */
  alphaInitializer?: InitializerIdentifier;
  alphaRegularizer?: RegularizerIdentifier | null;
  /** Axes (1-based, after the batch) along which one alpha is shared: [1, 2] for images. */
  sharedAxes?: number | readonly number[] | null;
}

/**
 * Parametric ReLU: y = relu(x) - alpha · relu(-x), alpha a learned weight of the input's shape
 * without the batch axis (size 1 along `sharedAxes`). `new PReLU({sharedAxes: [1, 2]})`
 */
export class PReLU extends Layer {
  static override className = 'PReLU';
  readonly alphaInitializer: WeightInitializer;
  readonly alphaRegularizer: WeightRegularizer | null;
  readonly sharedAxes: number[] | null;
  alpha: Variable | null = null;

  constructor(args: PReLUArgs = {}) {
    const { alphaInitializer, alphaRegularizer, sharedAxes, ...rest } = args;
    super(rest);
    this.alphaInitializer = resolveInitializer(
      'PReLU',
      'alphaInitializer',
      alphaInitializer,
      'zeros',
    );
    this.alphaRegularizer = resolveRegularizer('PReLU', 'alphaRegularizer', alphaRegularizer);
    const axes =
      sharedAxes == null ? null : typeof sharedAxes === 'number' ? [sharedAxes] : [...sharedAxes];
    if (axes?.some((a) => !Number.isInteger(a) || a < 1))
      throw new RangeError(
        `PReLU: sharedAxes must be axes >= 1 (the batch axis is 0), got ${JSON.stringify(sharedAxes)}`,
      );
    this.sharedAxes = axes;
    this.supportsMasking = true;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const alphaShape = shape.slice(1).map((d) => d);
    for (const a of this.sharedAxes ?? []) {
      if (a >= shape.length)
        throw new RangeError(
          `${layerLabel(this)}: sharedAxes ${JSON.stringify(this.sharedAxes)} name axis ${a}, the input has rank ${shape.length}`,
        );
      alphaShape[a - 1] = 1;
    }
    if (alphaShape.some((d) => d === null))
      throw this.shapeError('with known sizes on every axis that is not shared', shape);
    this.alpha = this.addWeight('alpha', {
      shape: alphaShape as number[],
      initializer: this.alphaInitializer,
      regularizer: this.alphaRegularizer,
    });
    this.built = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const alpha = builtWeight(this, this.alpha);
    return add(relu(x), mul(neg(alpha), relu(neg(x))));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const alpha = this.alpha?.shape;
    if (
      alpha &&
      (shape.length !== alpha.length + 1 ||
        alpha.some((d, i) => d !== 1 && shape[i + 1] !== null && shape[i + 1] !== d))
    )
      throw this.shapeError(`(None, ${alpha.map((d) => (d === 1 ? '*' : d)).join(', ')})`, shape);
    return shape;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      alphaInitializer: serializeInitializer(this.alphaInitializer),
      alphaRegularizer: regularizerConfig(this.alphaRegularizer),
      sharedAxes: this.sharedAxes,
    };
  }

  /** Rebuilds a `PReLU` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): PReLU {
    return new PReLU(config as PReLUArgs);
  }
}

registerLayer(PReLU);
