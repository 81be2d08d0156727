import { dense, reshape } from '../../ops/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { Layer, WeightInitializer, WeightRegularizer } from '../engine/layer.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { BaseDepthwiseConv, type DepthwiseConvArgs } from './base-depthwise-conv.js';
import { builtWeight, positiveInt } from './internal/args.js';
import { regularizerConfig, resolveInitializer, resolveRegularizer } from './internal/config.js';

export interface SeparableConvArgs extends DepthwiseConvArgs {
  pointwiseInitializer?: InitializerIdentifier;
  pointwiseRegularizer?: RegularizerIdentifier | null;
}

/**
 * SeparableConv1D/2D: a depthwise convolution (kernel [...kernelSize, in, depthMultiplier]), then
 * a pointwise one (kernel [...ones, in·depthMultiplier, filters]), then bias [filters] and the
 * activation; weights in Keras's order depthwise_kernel, pointwise_kernel, bias.
 */
export abstract class BaseSeparableConv extends BaseDepthwiseConv {
  readonly filters: number;
  readonly pointwiseInitializer: WeightInitializer;
  readonly pointwiseRegularizer: WeightRegularizer | null;
  pointwiseKernel: Variable | null = null;

  protected constructor(
    spatialRank: 1 | 2,
    filters: number,
    kernelSize: number | readonly number[],
    args: SeparableConvArgs,
  ) {
    super(spatialRank, kernelSize, args);
    const cls = (this.constructor as typeof Layer).className;
    this.filters = positiveInt(cls, 'filters', filters);
    this.pointwiseInitializer = resolveInitializer(
      cls,
      'pointwiseInitializer',
      args.pointwiseInitializer,
      'glorotUniform',
    );
    this.pointwiseRegularizer = resolveRegularizer(
      cls,
      'pointwiseRegularizer',
      args.pointwiseRegularizer,
    );
  }

  protected override outputChannels(): number {
    return this.filters;
  }

  protected override buildMiddle(inChannels: number): void {
    const ones = new Array<number>(this.spatialRank).fill(1);
    this.pointwiseKernel = this.addWeight('pointwise_kernel', {
      shape: [...ones, inChannels * this.depthMultiplier, this.filters],
      initializer: this.pointwiseInitializer,
      regularizer: this.pointwiseRegularizer,
    });
  }

  /** The pointwise step: a 1×1 convolution is a matrix product over the channels. */
  protected override afterDepthwise(y: Tensor): Tensor {
    const kernel = builtWeight(this, this.pointwiseKernel);
    const [cin, cout] = kernel.shape.slice(-2) as [number, number];
    return dense(y, reshape(kernel, [cin, cout]));
  }

  /**
   * The options that rebuild this `BaseSeparableConv` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      pointwiseInitializer: serializeInitializer(this.pointwiseInitializer),
      pointwiseRegularizer: regularizerConfig(this.pointwiseRegularizer),
    };
  }
}
