import { avgPool1d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BasePooling, type PoolingArgsWithSize, poolingArgs } from './base-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The mean of each window of poolSize steps, moved by strides, per channel:
 * x [batch, steps, c] → [batch, steps', c]. `new AveragePooling1D(2)`
 */
export class AveragePooling1D extends BasePooling {
  static override className = 'AveragePooling1D';

  constructor(
    poolSize?: number | readonly number[] | PoolingArgsWithSize,
    args: PoolingArgsWithSize = {},
  ) {
    const [size, rest] = poolingArgs(poolSize, args, 2);
    super(1, size, rest);
  }

  protected override pool(x: Tensor): Tensor {
    return avgPool1d(x, {
      poolSize: this.poolSize[0]!,
      strides: this.strides[0]!,
      padding: this.padding,
    });
  }

  /** Rebuilds an `AveragePooling1D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): AveragePooling1D {
    return new AveragePooling1D(config as PoolingArgsWithSize);
  }
}

registerLayer(AveragePooling1D);
