import { add } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseMerge } from './base-merge.js';
import { registerLayer } from './registry.js';

/** Sums a list of inputs of the same shape: `new Add().apply([x, residual])`. */
export class Add extends BaseMerge {
  static override className = 'Add';

  /** Element-wise sum of two inputs (broadcast). */
  protected merge(a: Tensor, b: Tensor): Tensor {
    return add(a, b);
  }

  /** Rebuilds an `Add` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Add {
    return new Add(config);
  }
}

registerLayer(Add);
