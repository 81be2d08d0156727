import { mean } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseGlobalPooling, type GlobalPoolingArgs } from './base-global-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The mean over depth, height and width per channel: x [batch, d, h, w, c] → [batch, c]
 * ([batch, 1, 1, 1, c] with keepdims). `new GlobalAveragePooling3D()`
 */
export class GlobalAveragePooling3D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling3D';

  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }

  protected override reduce(x: Tensor, axes: number[], keepDims: boolean): Tensor {
    return mean(x, axes, keepDims);
  }

  /**
   * Rebuilds a `GlobalAveragePooling3D` from the config its `getConfig()` returns
   * (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): GlobalAveragePooling3D {
    return new GlobalAveragePooling3D(config as GlobalPoolingArgs);
  }
}

registerLayer(GlobalAveragePooling3D);
