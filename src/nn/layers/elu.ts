import { elu } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `ELU` layer. */
export interface ELUArgs extends LayerArgs {
  /** Scale of the negative part (1 by default). */
  alpha?: number;
}

/** y = x for x > 0, alpha · (exp(x) - 1) otherwise. `new ELU({alpha: 0.5})` */
export class ELU extends Layer {
  static override className = 'ELU';
  readonly alpha: number;

  constructor(args: ELUArgs = {}) {
    const { alpha = 1, ...rest } = args;
    super(rest);
    if (typeof alpha !== 'number' || !Number.isFinite(alpha))
      throw new RangeError(`ELU: alpha must be a finite number, got ${String(alpha)}`);
    this.alpha = alpha;
    this.supportsMasking = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    return elu(singleInput(this, inputs), this.alpha);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), alpha: this.alpha };
  }

  /** Rebuilds an `ELU` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): ELU {
    return new ELU(config as ELUArgs);
  }
}

registerLayer(ELU);
