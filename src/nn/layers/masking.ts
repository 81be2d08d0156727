import { cast, expandDims, max, mul, notEqual } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `Masking` layer. */
export interface MaskingArgs extends LayerArgs {
  /** Steps whose features all equal this value are masked (0 by default). */
  maskValue?: number;
}

/**
 * Marks steps whose features all equal maskValue as padding: x [batch, steps, features] passes
 * through with those steps zeroed, and later layers get the [batch, steps] mask.
 * `new Masking({maskValue: 0})`
 */
export class Masking extends Layer {
  static override className = 'Masking';
  readonly maskValue: number;

  constructor(args: MaskingArgs = {}) {
    super(args);
    this.maskValue = args.maskValue ?? 0;
    if (typeof this.maskValue !== 'number')
      throw new TypeError(`Masking: maskValue must be a number, got ${String(this.maskValue)}`);
    this.supportsMasking = true;
  }

  /** [batch, steps] float: 1 where any feature differs from maskValue. */
  private keep(x: Tensor): Tensor {
    return max(cast(notEqual(x, this.maskValue), 'float32'), -1);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    if (x.rank < 3) throw this.shapeError('(None, steps, features)', x.shape);
    return mul(x, expandDims(this.keep(x), -1));
  }

  override computeMask(inputs: LayerInput, _mask: Tensor | null | undefined): Tensor | null {
    return notEqual(this.keep(singleInput(this, inputs)), 0);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maskValue: this.maskValue };
  }

  /** Rebuilds a `Masking` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Masking {
    return new Masking(config as MaskingArgs);
  }
}

registerLayer(Masking);
