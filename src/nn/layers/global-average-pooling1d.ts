import { cast, div, expandDims, mean, mul, sum } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, LayerInput } from '../engine/layer.js';
import { BaseGlobalPooling, type GlobalPoolingArgs } from './base-global-pooling.js';
import { layerLabel, singleInput } from './internal/args.js';
import { registerLayer } from './registry.js';

/**
 * The mean over the steps per channel: x [batch, steps, c] → [batch, c] ([batch, 1, c] with
 * keepdims). With a mask [batch, steps] (Embedding(maskZero), Masking) only the valid steps
 * are averaged, as Keras. `new GlobalAveragePooling1D()`
 */
export class GlobalAveragePooling1D extends BaseGlobalPooling {
  static override className = 'GlobalAveragePooling1D';

  constructor(args: GlobalPoolingArgs = {}) {
    super(1, args);
    this.supportsMasking = true;
  }

  protected override reduce(x: Tensor, axes: number[], keepDims: boolean): Tensor {
    return mean(x, axes, keepDims);
  }

  /** Averages over the steps; with a mask, over the unmasked steps only. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const mask = args.mask;
    if (!mask) return super.call(inputs, args);
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    if (mask.rank !== 2 || mask.shape[0] !== x.shape[0] || mask.shape[1] !== x.shape[1])
      throw new RangeError(
        `${layerLabel(this)}: the mask [${mask.shape.join(', ')}] does not match the input [${x.shape.join(', ')}]; expected [${x.shape[0]}, ${x.shape[1]}]`,
      );
    const m = expandDims(cast(mask, 'float32'), 2);
    return div(sum(mul(x, m), 1, this.keepdims), sum(m, 1, this.keepdims));
  }

  override computeMask(): Tensor | null {
    return null;
  }

  /**
   * Rebuilds a `GlobalAveragePooling1D` from the config its `getConfig()` returns
   * (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): GlobalAveragePooling1D {
    return new GlobalAveragePooling1D(config as GlobalPoolingArgs);
  }
}

registerLayer(GlobalAveragePooling1D);
