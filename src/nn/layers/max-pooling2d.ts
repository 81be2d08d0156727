import { maxPool2d } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BasePooling, type PoolingArgsWithSize, poolingArgs } from './base-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The maximum of each poolSize window, moved by strides, per channel:
 * x [batch, h, w, c] → [batch, h', w', c]. `new MaxPooling2D([2, 2])`, `new MaxPooling2D(3, {strides: 2})`
 */
export class MaxPooling2D extends BasePooling {
  static override className = 'MaxPooling2D';

  constructor(
    poolSize?: number | readonly number[] | PoolingArgsWithSize,
    args: PoolingArgsWithSize = {},
  ) {
    const [size, rest] = poolingArgs(poolSize, args, [2, 2]);
    super(2, size, rest);
  }

  protected override pool(x: Tensor): Tensor {
    return maxPool2d(x, {
      poolSize: this.poolSize as [number, number],
      strides: this.strides as [number, number],
      padding: this.padding,
    });
  }

  /** Rebuilds a `MaxPooling2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): MaxPooling2D {
    return new MaxPooling2D(config as PoolingArgsWithSize);
  }
}

registerLayer(MaxPooling2D);
