import { max } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseGlobalPooling, type GlobalPoolingArgs } from './base-global-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The maximum over height and width per channel: x [batch, h, w, c] → [batch, c] ([batch, 1, 1, c] with keepdims).
 * `new GlobalMaxPooling2D()`
 */
export class GlobalMaxPooling2D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling2D';

  constructor(args: GlobalPoolingArgs = {}) {
    super(2, args);
  }

  protected override reduce(x: Tensor, axes: number[], keepDims: boolean): Tensor {
    return max(x, axes, keepDims);
  }

  /**
   * Rebuilds a `GlobalMaxPooling2D` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): GlobalMaxPooling2D {
    return new GlobalMaxPooling2D(config as GlobalPoolingArgs);
  }
}

registerLayer(GlobalMaxPooling2D);
