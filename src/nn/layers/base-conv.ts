import { add } from '../../ops/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { ActivationFn } from '../activations/activations.js';
import { type ActivationIdentifier, serializeActivation } from '../activations/get-activation.js';
import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
  type WeightInitializer,
  type WeightRegularizer,
} from '../engine/layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../engine/symbolic-tensor.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import {
  builtWeight,
  checkDataFormat,
  convOutputLength,
  layerLabel,
  normalizeTuple,
  oneOf,
  positiveInt,
  singleInput,
  singleShape,
} from './internal/args.js';
import {
  regularizerConfig,
  resolveActivation,
  resolveInitializer,
  resolveRegularizer,
} from './internal/config.js';

export type ConvPadding = 'valid' | 'same' | 'causal';

/** The options every convolution layer takes (Keras's BaseConv arguments). */
export interface ConvArgs extends LayerArgs {
  /** A number (every spatial axis) or one per spatial axis; 1 by default. */
  strides?: number | readonly number[];
  padding?: ConvPadding;
  /** Only 'channels_last' (NHWC) is supported. */
  dataFormat?: 'channels_last';
  dilationRate?: number | readonly number[];
  activation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

/**
 * The shared body of Conv1D and Conv2D (Keras's BaseConv): config checks, kernel
 * [...kernelSize, inChannels, filters] and bias [filters], shape inference and config.
 * Subclasses give the spatial rank, the allowed paddings and the op that convolves.
 */
export abstract class BaseConv extends Layer {
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: ConvPadding;
  readonly dataFormat = 'channels_last';
  readonly dilationRate: number[];
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: WeightInitializer;
  readonly biasInitializer: WeightInitializer;
  readonly kernelRegularizer: WeightRegularizer | null;
  readonly biasRegularizer: WeightRegularizer | null;
  kernel: Variable | null = null;
  bias: Variable | null = null;

  protected constructor(
    readonly spatialRank: number,
    paddings: readonly ConvPadding[],
    filters: number,
    kernelSize: number | readonly number[],
    args: ConvArgs,
  ) {
    super(args);
    const cls = (this.constructor as typeof Layer).className;
    this.filters = positiveInt(cls, 'filters', filters);
    this.kernelSize = normalizeTuple(cls, 'kernelSize', kernelSize, spatialRank);
    this.strides = normalizeTuple(cls, 'strides', args.strides ?? 1, spatialRank);
    this.padding = oneOf(cls, 'padding', args.padding ?? 'valid', paddings);
    checkDataFormat(cls, args.dataFormat);
    this.dilationRate = normalizeTuple(cls, 'dilationRate', args.dilationRate ?? 1, spatialRank);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1)) {
      throw new RangeError(
        `${cls}: strides > 1 cannot be combined with dilationRate > 1, got strides=${JSON.stringify(this.strides)} and dilationRate=${JSON.stringify(this.dilationRate)}`,
      );
    }
    this.activation = resolveActivation(cls, args.activation);
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(
      cls,
      'kernelInitializer',
      args.kernelInitializer,
      'glorotUniform',
    );
    this.biasInitializer = resolveInitializer(
      cls,
      'biasInitializer',
      args.biasInitializer,
      'zeros',
    );
    this.kernelRegularizer = resolveRegularizer(cls, 'kernelRegularizer', args.kernelRegularizer);
    this.biasRegularizer = resolveRegularizer(cls, 'biasRegularizer', args.biasRegularizer);
  }

  /** The convolution itself: x [batch, ...spatial, in] with the kernel → [batch, ...spatial', filters]. */
  protected abstract convolve(x: Tensor, kernel: Tensor): Tensor;

  /** '(None, h, w, channels)': the expected input, for error messages. */
  private expected(channels: number | null): string {
    const spatial =
      [['steps'], ['height', 'width'], ['depth', 'height', 'width']][this.spatialRank - 1] ?? [];
    return `(None, ${spatial.join(', ')}, ${channels ?? 'channels'})`;
  }

  /** Keras's kernel layout: [...kernelSize, in, filters] (transposed convolutions swap the last two). */
  protected kernelShape(inChannels: number): number[] {
    return [...this.kernelSize, inChannels, this.filters];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const channels = shape.at(-1);
    if (shape.length !== this.spatialRank + 2 || channels === null || channels === undefined)
      throw this.shapeError(`${this.expected(null)} with known channels`, shape);
    this.kernel = this.addWeight('kernel', {
      shape: this.kernelShape(channels),
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    if (this.useBias) {
      this.bias = this.addWeight('bias', {
        shape: [this.filters],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
      });
    }
    this.built = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const y = this.convolve(x, builtWeight(this, this.kernel));
    return this.activation(this.bias ? add(y, this.bias) : y);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const channels = this.kernel?.shape.at(-2) ?? null;
    if (shape.length !== this.spatialRank + 2 || (channels !== null && shape.at(-1) !== channels))
      throw this.shapeError(this.expected(channels), shape);
    const spatial = shape
      .slice(1, -1)
      .map((d, i) =>
        convOutputLength(
          d,
          this.kernelSize[i]!,
          this.padding,
          this.strides[i]!,
          this.dilationRate[i]!,
        ),
      );
    if (spatial.some((d) => d !== null && d <= 0)) {
      throw new RangeError(
        `${layerLabel(this)}: input ${formatSymbolicShape(shape)} is too small for kernelSize ${JSON.stringify(this.kernelSize)} with dilationRate ${JSON.stringify(this.dilationRate)} and padding '${this.padding}'`,
      );
    }
    return [shape[0]!, ...spatial, this.filters];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
    };
  }
}
