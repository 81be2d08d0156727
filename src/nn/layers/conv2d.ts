import { conv2d, fusedConv2d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, LayerInput } from '../engine/layer.js';
import { BaseConv, type ConvArgs } from './base-conv.js';
import { builtWeight, singleInput } from './internal/args.js';
import { fusedActivationOf } from './internal/fused-activation.js';
import { registerLayer } from './registry.js';

/** Options of the `Conv2D` layer. */
export interface Conv2DArgs extends ConvArgs {
  padding?: 'valid' | 'same';
}

/**
 * 2-D convolution over NHWC images: x [batch, h, w, in], kernel [kh, kw, in, filters] →
 * [batch, h', w', filters], then bias and activation.
 * `new Conv2D(32, [3, 3], {activation: 'relu', inputShape: [28, 28, 1]})`
 */
export class Conv2D extends BaseConv {
  static override className = 'Conv2D';

  constructor(filters: number, kernelSize: number | readonly number[], args: Conv2DArgs = {}) {
    super(2, ['valid', 'same'], filters, kernelSize, args);
  }

  /** Convolution, bias and a built-in activation in one fused op; others run as their own op. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const activation = fusedActivationOf(this.activation);
    if (activation === null) return super.call(inputs, args);
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    return fusedConv2d(x, builtWeight(this, this.kernel), this.bias ?? undefined, {
      strides: this.strides as [number, number],
      padding: this.padding as 'valid' | 'same',
      dilationRate: this.dilationRate as [number, number],
      activation,
    });
  }

  protected override convolve(x: Tensor, kernel: Tensor): Tensor {
    return conv2d(x, kernel, {
      strides: this.strides as [number, number],
      padding: this.padding as 'valid' | 'same',
      dilationRate: this.dilationRate as [number, number],
    });
  }

  /** Rebuilds a `Conv2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Conv2D {
    const { filters, kernelSize, ...args } = config;
    return new Conv2D(filters as number, kernelSize as number[], args as Conv2DArgs);
  }
}

registerLayer(Conv2D);
