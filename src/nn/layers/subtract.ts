import { sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, isShapeList, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { BaseMerge } from './base-merge.js';
import { layerLabel } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Subtracts the second of exactly two inputs from the first: `new Subtract().apply([a, b])`. */
export class Subtract extends BaseMerge {
  static override className = 'Subtract';

  /** The first input minus the second; exactly two inputs. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    this.checkCount(Array.isArray(inputs) ? inputs.length : 1);
    return super.call(inputs, args);
  }

  /** The broadcast shape of the two inputs; exactly two. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    this.checkCount(isShapeList(inputShape) ? inputShape.length : 1);
    return super.computeOutputShape(inputShape);
  }

  private checkCount(n: number): void {
    if (n !== 2)
      throw new TypeError(`${layerLabel(this)}: expects exactly 2 inputs [a, b], got ${n}`);
  }

  /** Element-wise difference `a - b` (broadcast). */
  protected merge(a: Tensor, b: Tensor): Tensor {
    return sub(a, b);
  }

  /** Rebuilds a `Subtract` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Subtract {
    return new Subtract(config);
  }
}

registerLayer(Subtract);
