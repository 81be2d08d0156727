import { maxPool1d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BasePooling, type PoolingArgsWithSize, poolingArgs } from './base-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The maximum of each window of poolSize steps, moved by strides, per channel:
 * x [batch, steps, c] → [batch, steps', c]. `new MaxPooling1D(2)`
 */
export class MaxPooling1D extends BasePooling {
  static override className = 'MaxPooling1D';

  constructor(
    poolSize?: number | readonly number[] | PoolingArgsWithSize,
    args: PoolingArgsWithSize = {},
  ) {
    const [size, rest] = poolingArgs(poolSize, args, 2);
    super(1, size, rest);
  }

  protected override pool(x: Tensor): Tensor {
    return maxPool1d(x, {
      poolSize: this.poolSize[0]!,
      strides: this.strides[0]!,
      padding: this.padding,
    });
  }

  /** Rebuilds a `MaxPooling1D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): MaxPooling1D {
    return new MaxPooling1D(config as PoolingArgsWithSize);
  }
}

registerLayer(MaxPooling1D);
