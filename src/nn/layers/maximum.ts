import { maximum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseMerge } from './base-merge.js';
import { registerLayer } from './registry.js';

/** The elementwise maximum of a list of inputs: `new Maximum().apply([a, b, c])`. */
export class Maximum extends BaseMerge {
  static override className = 'Maximum';

  protected merge(a: Tensor, b: Tensor): Tensor {
    return maximum(a, b);
  }

  static fromConfig(config: Record<string, unknown>): Maximum {
    return new Maximum(config);
  }
}

registerLayer(Maximum);
