import { avgPool2d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BasePooling, type PoolingArgsWithSize, poolingArgs } from './base-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The mean of each poolSize window, moved by strides, per channel (with padding 'same', the padded cells are left out of the mean):
 * x [batch, h, w, c] → [batch, h', w', c]. `new AveragePooling2D([2, 2])`, `new AveragePooling2D(3, {strides: 2})`
 */
export class AveragePooling2D extends BasePooling {
  static override className = 'AveragePooling2D';

  constructor(
    poolSize?: number | readonly number[] | PoolingArgsWithSize,
    args: PoolingArgsWithSize = {},
  ) {
    const [size, rest] = poolingArgs(poolSize, args, [2, 2]);
    super(2, size, rest);
  }

  protected override pool(x: Tensor): Tensor {
    return avgPool2d(x, {
      poolSize: this.poolSize as [number, number],
      strides: this.strides as [number, number],
      padding: this.padding,
    });
  }

  /** Rebuilds an `AveragePooling2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): AveragePooling2D {
    return new AveragePooling2D(config as PoolingArgsWithSize);
  }
}

registerLayer(AveragePooling2D);
