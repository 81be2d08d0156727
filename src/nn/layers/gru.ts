import { gru } from '../../ops/gru.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseRnn, type RecurrentOutput, type RnnArgs } from './base-rnn.js';
import { builtWeight } from './internal/args.js';
import { gruResetBefore } from './internal/gru-reset-before.js';
import { registerLayer } from './registry.js';

export interface GruArgs extends RnnArgs {
  /**
   * Apply the reset gate after the recurrent product (Keras's and cuDNN's default, fused kernel,
   * bias [2, 3·units]); false is the original form (bias [3·units], step-by-step ops).
   */
  resetAfter?: boolean;
}

/**
 * Gated recurrent unit (Cho et al. 2014) with Keras's weights: kernel [in, 3·units],
 * recurrentKernel [units, 3·units], bias [2, 3·units] (input and recurrent biases; [3·units]
 * with resetAfter=false), gates z, r, h.
 * x [batch, steps, in] → [batch, units] ([batch, steps, units] with returnSequences).
 * `new GRU(64, {returnSequences: true})`
 */
export class GRU extends BaseRnn {
  static override className = 'GRU';
  readonly resetAfter: boolean;

  constructor(units: number, args: GruArgs = {}) {
    super(3, 1, units, args);
    this.resetAfter = args.resetAfter ?? true;
  }

  protected override biasShape(): number[] {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  protected override recur(
    x: Tensor,
    initial: (Tensor | null)[],
    mask: Tensor | null,
    recurrentMask: Tensor | null,
  ): RecurrentOutput {
    if (!this.resetAfter) {
      const r = gruResetBefore(
        x,
        builtWeight(this, this.kernel),
        this.recurrentKernel!,
        this.bias,
        {
          initialH: initial[0] ?? null,
          mask,
          recurrentMask,
          goBackwards: this.goBackwards,
          activation: this.activation,
          recurrentActivation: this.recurrentActivation,
        },
      );
      return { sequences: r.sequences, states: [r.lastH] };
    }
    const r = gru(x, builtWeight(this, this.kernel), this.recurrentKernel!, this.bias, {
      initialH: initial[0],
      mask,
      goBackwards: this.goBackwards,
      recurrentMask,
      activation: this.fusedName('activation', this.activation),
      recurrentActivation: this.fusedName('recurrentActivation', this.recurrentActivation),
    });
    return { sequences: r.sequences, states: [r.lastH] };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), resetAfter: this.resetAfter };
  }

  /** Rebuilds a `GRU` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): GRU {
    const { units, ...args } = config;
    return new GRU(units as number, args as GruArgs);
  }
}

registerLayer(GRU);
