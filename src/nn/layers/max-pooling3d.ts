import { maxPool3d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BasePooling, type PoolingArgsWithSize, poolingArgs } from './base-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The maximum of each poolSize window, moved by strides, per channel:
 * x [batch, d, h, w, c] → [batch, d', h', w', c]. `new MaxPooling3D([2, 2, 2])`, `new MaxPooling3D(3, {strides: 2})`
 */
export class MaxPooling3D extends BasePooling {
  static override className = 'MaxPooling3D';

  constructor(
    poolSize?: number | readonly number[] | PoolingArgsWithSize,
    args: PoolingArgsWithSize = {},
  ) {
    const [size, rest] = poolingArgs(poolSize, args, [2, 2, 2]);
    super(3, size, rest);
  }

  protected override pool(x: Tensor): Tensor {
    return maxPool3d(x, {
      poolSize: this.poolSize as [number, number, number],
      strides: this.strides as [number, number, number],
      padding: this.padding,
    });
  }

  /** Rebuilds a `MaxPooling3D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): MaxPooling3D {
    return new MaxPooling3D(config as PoolingArgsWithSize);
  }
}

registerLayer(MaxPooling3D);
