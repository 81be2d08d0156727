import { BaseDepthwiseConv, type DepthwiseConvArgs } from './base-depthwise-conv.js';
import { registerLayer } from './registry.js';

/** Options of the `DepthwiseConv2D` layer. */
export interface DepthwiseConv2DArgs extends DepthwiseConvArgs {
  padding?: 'valid' | 'same';
}

/**
 * Depthwise 2-D convolution (MobileNet's): each input channel convolved with its own
 * `depthMultiplier` filters, kernel [kh, kw, in, depthMultiplier], bias [in·depthMultiplier].
 * `new DepthwiseConv2D(3, {padding: 'same', depthMultiplier: 1})`
 */
export class DepthwiseConv2D extends BaseDepthwiseConv {
  static override className = 'DepthwiseConv2D';

  constructor(kernelSize: number | readonly number[], args: DepthwiseConv2DArgs = {}) {
    super(2, kernelSize, args);
  }

  protected override outputChannels(inChannels: number): number {
    return inChannels * this.depthMultiplier;
  }

  protected override depthwiseWeightName(): string {
    return 'kernel';
  }

  /** Rebuilds a `DepthwiseConv2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): DepthwiseConv2D {
    const { kernelSize, ...args } = config;
    return new DepthwiseConv2D(kernelSize as number[], args as DepthwiseConv2DArgs);
  }
}

registerLayer(DepthwiseConv2D);
