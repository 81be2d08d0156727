import { mul } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseMerge } from './base-merge.js';
import { registerLayer } from './registry.js';

/** Multiplies a list of inputs of the same shape elementwise: `new Multiply().apply([x, gate])`. */
export class Multiply extends BaseMerge {
  static override className = 'Multiply';

  /** Element-wise product of two inputs (broadcast). */
  protected merge(a: Tensor, b: Tensor): Tensor {
    return mul(a, b);
  }

  /** Rebuilds a `Multiply` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Multiply {
    return new Multiply(config);
  }
}

registerLayer(Multiply);
