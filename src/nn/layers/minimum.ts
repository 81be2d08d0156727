import { minimum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseMerge } from './base-merge.js';
import { registerLayer } from './registry.js';

/** The elementwise minimum of a list of inputs: `new Minimum().apply([a, b])`. */
export class Minimum extends BaseMerge {
  static override className = 'Minimum';

  /** Element-wise minimum of two inputs (broadcast). */
  protected merge(a: Tensor, b: Tensor): Tensor {
    return minimum(a, b);
  }

  /** Rebuilds a `Minimum` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Minimum {
    return new Minimum(config);
  }
}

registerLayer(Minimum);
