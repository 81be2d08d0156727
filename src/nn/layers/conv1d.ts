import { conv1d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseConv, type ConvArgs } from './base-conv.js';
import { registerLayer } from './registry.js';

/**
 * 1-D convolution over sequences: x [batch, steps, in], kernel [k, in, filters] →
 * [batch, steps', filters], then bias and activation. Padding 'causal' pads only on the left,
 * so output t sees inputs up to t. `new Conv1D(16, 3, {padding: 'causal'})`
 */
export class Conv1D extends BaseConv {
  static override className = 'Conv1D';

  constructor(filters: number, kernelSize: number | readonly number[], args: ConvArgs = {}) {
    super(1, ['valid', 'same', 'causal'], filters, kernelSize, args);
  }

  protected override convolve(x: Tensor, kernel: Tensor): Tensor {
    return conv1d(x, kernel, {
      strides: this.strides[0]!,
      padding: this.padding,
      dilationRate: this.dilationRate[0]!,
    });
  }

  /** Rebuilds a `Conv1D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Conv1D {
    const { filters, kernelSize, ...args } = config;
    return new Conv1D(filters as number, kernelSize as number[], args as ConvArgs);
  }
}

registerLayer(Conv1D);
