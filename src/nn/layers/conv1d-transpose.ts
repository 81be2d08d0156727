import { conv2dBackpropInput, reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseConvTranspose, type ConvTransposeArgs } from './base-conv-transpose.js';
import { registerLayer } from './registry.js';

/**
 * Transposed 1-D convolution (Keras's Conv1DTranspose): x [b, steps, in], kernel [k, filters, in]
 * → [b, steps', filters], steps' = steps·stride ('same') or steps·stride + max(k - stride, 0)
 * ('valid'), or set by outputPadding. Runs as the 2-D one on [b, 1, steps, in].
 * `new Conv1DTranspose(8, 4, {strides: 2, padding: 'same'})`
 */
export class Conv1DTranspose extends BaseConvTranspose {
  static override className = 'Conv1DTranspose';

  constructor(
    filters: number,
    kernelSize: number | readonly number[],
    args: ConvTransposeArgs = {},
  ) {
    super(1, filters, kernelSize, args);
  }

  protected override convolve(x: Tensor, kernel: Tensor): Tensor {
    const [b, steps, c] = x.shape as [number, number, number];
    const a = this.axes([steps])[0]!;
    const k = this.kernelSize[0]!;
    const y = conv2dBackpropInput(
      reshape(x, [b, 1, steps, c]),
      reshape(kernel, [1, k, this.filters, c]),
      [b, 1, a.out, this.filters],
      {
        strides: [1, this.strides[0]!],
        padding: [
          [0, 0],
          [a.before, a.after],
        ],
        dilationRate: [1, this.dilationRate[0]!],
      },
    );
    return reshape(y, [b, a.out, this.filters]);
  }

  /** Rebuilds a `Conv1DTranspose` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Conv1DTranspose {
    const { filters, kernelSize, ...args } = config;
    return new Conv1DTranspose(
      filters as number,
      kernelSize as number[],
      args as ConvTransposeArgs,
    );
  }
}

registerLayer(Conv1DTranspose);
