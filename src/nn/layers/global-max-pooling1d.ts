import { max } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseGlobalPooling, type GlobalPoolingArgs } from './base-global-pooling.js';
import { registerLayer } from './registry.js';

/**
 * The maximum over the steps per channel: x [batch, steps, c] → [batch, c] ([batch, 1, c] with
 * keepdims). Like Keras, it ignores an incoming mask. `new GlobalMaxPooling1D()`
 */
export class GlobalMaxPooling1D extends BaseGlobalPooling {
  static override className = 'GlobalMaxPooling1D';

  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
  }

  protected override reduce(x: Tensor, axes: number[], keepDims: boolean): Tensor {
    return max(x, axes, keepDims);
  }

  /**
   * Rebuilds a `GlobalMaxPooling1D` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): GlobalMaxPooling1D {
    return new GlobalMaxPooling1D(config as GlobalPoolingArgs);
  }
}

registerLayer(GlobalMaxPooling1D);
