import { conv3d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseConv, type ConvArgs } from './base-conv.js';
import { registerLayer } from './registry.js';

/** Options of the `Conv3D` layer. */
export interface Conv3DArgs extends ConvArgs {
  padding?: 'valid' | 'same';
}

/**
 * 3-D convolution over NDHWC volumes: x [batch, d, h, w, in], kernel [kd, kh, kw, in, filters] →
 * [batch, d', h', w', filters], then bias and activation (`ops.conv3d`: one 2-D convolution per
 * kernel depth, so the 2-D kernels, native ones included, do the work).
 * `new Conv3D(8, 3, {padding: 'same', activation: 'relu', inputShape: [16, 32, 32, 1]})`
 */
export class Conv3D extends BaseConv {
  static override className = 'Conv3D';

  constructor(filters: number, kernelSize: number | readonly number[], args: Conv3DArgs = {}) {
    super(3, ['valid', 'same'], filters, kernelSize, args);
  }

  protected override convolve(x: Tensor, kernel: Tensor): Tensor {
    return conv3d(x, kernel, {
      strides: this.strides as [number, number, number],
      padding: this.padding as 'valid' | 'same',
      dilationRate: this.dilationRate as [number, number, number],
    });
  }

  /** Rebuilds a `Conv3D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Conv3D {
    const { filters, kernelSize, ...args } = config;
    return new Conv3D(filters as number, kernelSize as number[], args as Conv3DArgs);
  }
}

registerLayer(Conv3D);
