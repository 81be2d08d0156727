import { mean } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseGlobalPooling, type GlobalPoolingArgs } from './base-global-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The mean over height and width per channel: x [batch, h, w, c] → [batch, c] ([batch, 1, 1, c] with keepdims).
 * `new GlobalAveragePooling2D()`
 */
export class GlobalAveragePooling2D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling2D';

  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }

  protected override reduce(x: Tensor, axes: number[], keepDims: boolean): Tensor {
    return mean(x, axes, keepDims);
  }

  /**
   * Rebuilds a `GlobalAveragePooling2D` from the config its `getConfig()` returns
   * (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): GlobalAveragePooling2D {
    return new GlobalAveragePooling2D(config as GlobalPoolingArgs);
  }
}

registerLayer(GlobalAveragePooling2D);
