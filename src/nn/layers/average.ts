import { add, mul } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, LayerInput } from '../engine/layer.js';
import { BaseMerge } from './base-merge.js';
import { registerLayer } from './registry.js';

/** The elementwise mean of a list of inputs: `new Average().apply([a, b])`. */
export class Average extends BaseMerge {
  static override className = 'Average';

  /** The mean of the inputs: their sum divided by their count. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const n = Array.isArray(inputs) ? inputs.length : 1;
    return mul(super.call(inputs, args), 1 / n);
  }

  /** Element-wise sum of two inputs (the mean divides at the end). */
  protected merge(a: Tensor, b: Tensor): Tensor {
    return add(a, b);
  }

  /** Rebuilds an `Average` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Average {
    return new Average(config);
  }
}

registerLayer(Average);
