import { BaseSeparableConv, type SeparableConvArgs } from './base-separable-conv.js';
import { registerLayer } from './registry.js';

/** Options of the `SeparableConv1D` layer. */
export interface SeparableConv1DArgs extends SeparableConvArgs {
  padding?: 'valid' | 'same' | 'causal';
}

/**
 * Depthwise separable 1-D convolution: a depthwise kernel [k, in, m], then a pointwise
 * convolution to `filters` channels, bias and activation. `new SeparableConv1D(32, 3, {padding: 'causal'})`
 */
export class SeparableConv1D extends BaseSeparableConv {
  static override className = 'SeparableConv1D';

  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    args: SeparableConv1DArgs = {},
  ) {
    super(1, filters, kernelSize, args);
  }

  /** Rebuilds a `SeparableConv1D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): SeparableConv1D {
    const { filters, kernelSize, ...args } = config;
    return new SeparableConv1D(
      filters as number,
      kernelSize as number[],
      args as SeparableConv1DArgs,
    );
  }
}

registerLayer(SeparableConv1D);
