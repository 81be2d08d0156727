import { BaseSeparableConv, type SeparableConvArgs } from './base-separable-conv.js';
import { registerLayer } from './registry.js';

/** Options of the `SeparableConv2D` layer. */
export interface SeparableConv2DArgs extends SeparableConvArgs {
  padding?: 'valid' | 'same';
}

/**
 * Depthwise separable 2-D convolution: a depthwise kernel [kh, kw, in, m], then a pointwise
 * convolution to `filters` channels, bias and activation. `new SeparableConv2D(64, 3, {padding: 'same', activation: 'relu'})`
 */
export class SeparableConv2D extends BaseSeparableConv {
  static override className = 'SeparableConv2D';

  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    args: SeparableConv2DArgs = {},
  ) {
    super(2, filters, kernelSize, args);
  }

  /** Rebuilds a `SeparableConv2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): SeparableConv2D {
    const { filters, kernelSize, ...args } = config;
    return new SeparableConv2D(
      filters as number,
      kernelSize as number[],
      args as SeparableConv2DArgs,
    );
  }
}

registerLayer(SeparableConv2D);
