import { conv2dBackpropInput } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseConvTranspose, type ConvTransposeArgs } from './base-conv-transpose.js';
import { registerLayer } from './registry.js';

/**
 * Transposed 2-D convolution (the gradient of Conv2D with respect to its input, Keras's
 * Conv2DTranspose): x [b, h, w, in], kernel [kh, kw, filters, in] → [b, h', w', filters] with
 * h' = h·stride ('same') or h·stride + max(kh - stride, 0) ('valid'), or set by outputPadding.
 * `new Conv2DTranspose(16, 3, {strides: 2, padding: 'same'})`
 */
export class Conv2DTranspose extends BaseConvTranspose {
  static override className = 'Conv2DTranspose';

  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    args: ConvTransposeArgs = {},
  ) {
    super(2, filters, kernelSize, args);
  }

  protected override convolve(x: Tensor, kernel: Tensor): Tensor {
    const axes = this.axes(x.shape.slice(1, -1)).map((a) => a!);
    return conv2dBackpropInput(x, kernel, [x.shape[0]!, ...axes.map((a) => a.out), this.filters], {
      strides: this.strides as [number, number],
      padding: axes.map((a) => [a.before, a.after]) as [[number, number], [number, number]],
      dilationRate: this.dilationRate as [number, number],
    });
  }

  /** Rebuilds a `Conv2DTranspose` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Conv2DTranspose {
    const { filters, kernelSize, ...args } = config;
    return new Conv2DTranspose(
      filters as number,
      kernelSize as number[],
      args as ConvTransposeArgs,
    );
  }
}

registerLayer(Conv2DTranspose);
