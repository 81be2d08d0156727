import { concat } from '../../ops/index.js';
import { lstm } from '../../ops/lstm.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { WeightInitializer } from '../engine/layer.js';
import { getInitializer } from '../initializers/get-initializer.js';
import { BaseRnn, type RecurrentOutput, type RnnArgs } from './base-rnn.js';
import { builtWeight } from './internal/args.js';
import { registerLayer } from './registry.js';

export interface LstmArgs extends RnnArgs {
  /** Add 1 to the forget gate's bias at initialization (Jozefowicz et al.); true by default. */
  unitForgetBias?: boolean;
}

/**
 * Long short-term memory (Hochreiter 1997) with Keras's weights: kernel [in, 4·units],
 * recurrentKernel [units, 4·units], bias [4·units], gates i, f, c, o. x [batch, steps, in] →
 * [batch, units] ([batch, steps, units] with returnSequences). Runs as one fused op per call.
 * `new LSTM(128, {dropout: 0.2, recurrentDropout: 0.2})`
 */
export class LSTM extends BaseRnn {
  static override className = 'LSTM';
  readonly unitForgetBias: boolean;

  constructor(units: number, args: LstmArgs = {}) {
    super(4, 2, units, args);
    this.unitForgetBias = args.unitForgetBias ?? true;
  }

  /**
   * With `unitForgetBias`, the forget gate's bias starts at 1 (the other gates use the bias
   * initializer).
   */
  protected override makeBiasInitializer(): WeightInitializer {
    if (!this.unitForgetBias) return this.biasInitializer;
    const u = this.units;
    const init = this.biasInitializer;
    return (_shape, dtype) =>
      concat([init([u], dtype), getInitializer('ones')([u], dtype), init([2 * u], dtype)]);
  }

  protected override recur(
    x: Tensor,
    initial: (Tensor | null)[],
    mask: Tensor | null,
    recurrentMask: Tensor | null,
  ): RecurrentOutput {
    const r = lstm(x, builtWeight(this, this.kernel), this.recurrentKernel!, this.bias, {
      initialH: initial[0],
      initialC: initial[1],
      mask,
      goBackwards: this.goBackwards,
      recurrentMask,
      activation: this.fusedName('activation', this.activation),
      recurrentActivation: this.fusedName('recurrentActivation', this.recurrentActivation),
    });
    return { sequences: r.sequences, states: [r.lastH, r.lastC] };
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), unitForgetBias: this.unitForgetBias };
  }

  /** Rebuilds a `LSTM` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): LSTM {
    const { units, ...args } = config;
    return new LSTM(units as number, args as LstmArgs);
  }
}

registerLayer(LSTM);
