import { avgPool3d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BasePooling, type PoolingArgsWithSize, poolingArgs } from './base-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The mean of each poolSize window, moved by strides, per channel (with padding 'same', the padded cells are left out of the mean):
 * x [batch, d, h, w, c] → [batch, d', h', w', c]. `new AveragePooling3D([2, 2, 2])`, `new AveragePooling3D(3, {strides: 2})`
 */
export class AveragePooling3D extends BasePooling {
  static override className = 'AveragePooling3D';

  constructor(
    poolSize?: number | readonly number[] | PoolingArgsWithSize,
    args: PoolingArgsWithSize = {},
  ) {
    const [size, rest] = poolingArgs(poolSize, args, [2, 2, 2]);
    super(3, size, rest);
  }

  protected override pool(x: Tensor): Tensor {
    return avgPool3d(x, {
      poolSize: this.poolSize as [number, number, number],
      strides: this.strides as [number, number, number],
      padding: this.padding,
    });
  }

  /** Rebuilds an `AveragePooling3D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): AveragePooling3D {
    return new AveragePooling3D(config as PoolingArgsWithSize);
  }
}

registerLayer(AveragePooling3D);
