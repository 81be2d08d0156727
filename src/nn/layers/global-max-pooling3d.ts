import { max } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseGlobalPooling, type GlobalPoolingArgs } from './base-global-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The maximum over depth, height and width per channel: x [batch, d, h, w, c] → [batch, c]
 * ([batch, 1, 1, 1, c] with keepdims). `new GlobalMaxPooling3D()`
 */
export class GlobalMaxPooling3D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling3D';

  constructor(args: GlobalPoolingArgs = {}) {
    super(3, args);
  }

  protected override reduce(x: Tensor, axes: number[], keepDims: boolean): Tensor {
    return max(x, axes, keepDims);
  }

  /**
   * Rebuilds a `GlobalMaxPooling3D` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): GlobalMaxPooling3D {
    return new GlobalMaxPooling3D(config as GlobalPoolingArgs);
  }
}

registerLayer(GlobalMaxPooling3D);
