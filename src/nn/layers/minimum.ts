import { minimum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseMerge } from './base-merge.js';
import { registerLayer } from './registry.js';

/** The elementwise minimum of a list of inputs: `new Minimum().apply([a, b])`. */
export class Minimum extends BaseMerge {
  static override className = 'Minimum';

  protected merge(a: Tensor, b: Tensor): Tensor {
    return minimum(a, b);
  }

  static fromConfig(config: Record<string, unknown>): Minimum {
    return new Minimum(config);
  }
}

registerLayer(Minimum);
