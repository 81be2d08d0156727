import { add, depthwiseConv2d, reshape } from '../../ops/index.js';
import type { Padding2D } from '../../ops/internal/window.js';
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

/** The options of DepthwiseConv2D and SeparableConv1D/2D (Keras's names and defaults). */
export interface DepthwiseConvArgs extends LayerArgs {
  strides?: number | readonly number[];
  padding?: 'valid' | 'same' | 'causal';
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
  dilationRate?: number | readonly number[];
  /** Filters per input channel (1 by default). */
  depthMultiplier?: number;
  activation?: ActivationIdentifier;
  useBias?: boolean;
  depthwiseInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  depthwiseRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
}

/**
 * The shared body of DepthwiseConv2D and SeparableConv1D/2D: the depthwise kernel
 * [...kernelSize, in, depthMultiplier], its geometry, shape inference and config. 1-D layers run
 * as 2-D ones on [batch, 1, steps, channels]. Subclasses add what follows the depthwise step.
 */
export abstract class BaseDepthwiseConv extends Layer {
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same' | 'causal';
  readonly dataFormat = 'channels_last';
  readonly dilationRate: number[];
  readonly depthMultiplier: number;
  readonly activation: ActivationFn;
  readonly useBias: boolean;
  readonly depthwiseInitializer: WeightInitializer;
  readonly biasInitializer: WeightInitializer;
  readonly depthwiseRegularizer: WeightRegularizer | null;
  readonly biasRegularizer: WeightRegularizer | null;
  depthwiseKernel: Variable | null = null;
  bias: Variable | null = null;

  protected constructor(
    readonly spatialRank: 1 | 2,
    kernelSize: number | readonly number[],
    args: DepthwiseConvArgs,
  ) {
    super(args);
    const cls = (this.constructor as typeof Layer).className;
    this.kernelSize = normalizeTuple(cls, 'kernelSize', kernelSize, spatialRank);
    this.strides = normalizeTuple(cls, 'strides', args.strides ?? 1, spatialRank);
    const paddings = spatialRank === 1 ? ['valid', 'same', 'causal'] : ['valid', 'same'];
    this.padding = oneOf(cls, 'padding', args.padding ?? 'valid', paddings as ('valid' | 'same')[]);
    checkDataFormat(cls, args.dataFormat);
    this.dilationRate = normalizeTuple(cls, 'dilationRate', args.dilationRate ?? 1, spatialRank);
    if (this.strides.some((s) => s > 1) && this.dilationRate.some((d) => d > 1))
      throw new RangeError(
        `${cls}: strides > 1 cannot be combined with dilationRate > 1, got strides=${JSON.stringify(this.strides)} and dilationRate=${JSON.stringify(this.dilationRate)}`,
      );
    this.depthMultiplier = positiveInt(cls, 'depthMultiplier', args.depthMultiplier ?? 1);
    this.activation = resolveActivation(cls, args.activation);
    this.useBias = args.useBias ?? true;
    this.depthwiseInitializer = resolveInitializer(
      cls,
      'depthwiseInitializer',
      args.depthwiseInitializer,
      'glorotUniform',
    );
    this.biasInitializer = resolveInitializer(
      cls,
      'biasInitializer',
      args.biasInitializer,
      'zeros',
    );
    this.depthwiseRegularizer = resolveRegularizer(
      cls,
      'depthwiseRegularizer',
      args.depthwiseRegularizer,
    );
    this.biasRegularizer = resolveRegularizer(cls, 'biasRegularizer', args.biasRegularizer);
  }

  /** The channels after the depthwise step's successor (the bias size): in·m, or filters. */
  protected abstract outputChannels(inChannels: number): number;

  /** Whatever follows the depthwise step (SeparableConv's pointwise kernel); identity here. */
  protected afterDepthwise(y: Tensor): Tensor {
    return y;
  }

  /** Creates weights that come between the depthwise kernel and the bias in Keras's order. */
  protected buildMiddle(_inChannels: number): void {}

  private expected(channels: number | null): string {
    const spatial = this.spatialRank === 1 ? 'steps' : 'height, width';
    return `(None, ${spatial}, ${channels ?? 'channels'})`;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const channels = shape.at(-1);
    if (shape.length !== this.spatialRank + 2 || channels === null || channels === undefined)
      throw this.shapeError(`${this.expected(null)} with known channels`, shape);
    this.depthwiseKernel = this.addWeight(this.depthwiseWeightName(), {
      shape: [...this.kernelSize, channels, this.depthMultiplier],
      initializer: this.depthwiseInitializer,
      regularizer: this.depthwiseRegularizer,
    });
    this.buildMiddle(channels);
    if (this.useBias)
      this.bias = this.addWeight('bias', {
        shape: [this.outputChannels(channels)],
        initializer: this.biasInitializer,
        regularizer: this.biasRegularizer,
      });
    this.built = true;
  }

  /** Keras's weight name: 'kernel' for DepthwiseConv2D, 'depthwise_kernel' for SeparableConv. */
  protected depthwiseWeightName(): string {
    return 'depthwise_kernel';
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const kernel = builtWeight(this, this.depthwiseKernel);
    let y: Tensor;
    if (this.spatialRank === 2) {
      y = depthwiseConv2d(x, kernel, {
        strides: this.strides as [number, number],
        padding: this.padding as 'valid' | 'same',
        dilationRate: this.dilationRate as [number, number],
      });
    } else {
      const [b, steps, c] = x.shape as [number, number, number];
      const [k, s, d] = [this.kernelSize[0]!, this.strides[0]!, this.dilationRate[0]!];
      const padding: Padding2D =
        this.padding === 'causal'
          ? [
              [0, 0],
              [(k - 1) * d, 0],
            ]
          : this.padding;
      const y4 = depthwiseConv2d(
        reshape(x, [b, 1, steps, c]),
        reshape(kernel, [1, k, c, this.depthMultiplier]),
        {
          strides: [1, s],
          padding,
          dilationRate: [1, d],
        },
      );
      y = reshape(y4, [b, y4.shape[2]!, y4.shape[3]!]);
    }
    y = this.afterDepthwise(y);
    return this.activation(this.bias ? add(y, this.bias) : y);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const channels = this.depthwiseKernel?.shape.at(-2) ?? null;
    const c = shape.at(-1);
    if (shape.length !== this.spatialRank + 2 || (channels !== null && c !== channels))
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
    if (spatial.some((d) => d !== null && d <= 0))
      throw new RangeError(
        `${layerLabel(this)}: input ${formatSymbolicShape(shape)} is too small for kernelSize ${JSON.stringify(this.kernelSize)} with dilationRate ${JSON.stringify(this.dilationRate)} and padding '${this.padding}'`,
      );
    return [shape[0]!, ...spatial, c === null || c === undefined ? null : this.outputChannels(c)];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dataFormat: this.dataFormat,
      dilationRate: this.dilationRate,
      depthMultiplier: this.depthMultiplier,
      activation: serializeActivation(this.activation),
      useBias: this.useBias,
      depthwiseInitializer: serializeInitializer(this.depthwiseInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      depthwiseRegularizer: regularizerConfig(this.depthwiseRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
    };
  }
}
