import { maximum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseMerge } from './base-merge.js';
import { registerLayer } from './registry.js';

/** The elementwise maximum of a list of inputs: `new Maximum().apply([a, b, c])`. */
export class Maximum extends BaseMerge {
  static override className = 'Maximum';

  /** Element-wise maximum of two inputs (broadcast). */
  protected merge(a: Tensor, b: Tensor): Tensor {
    return maximum(a, b);
  }

  /** Rebuilds a `Maximum` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Maximum {
    return new Maximum(config);
  }
}

registerLayer(Maximum);
