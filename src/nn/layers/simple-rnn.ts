import { simpleRnn } from '../../ops/simple-rnn.js';
import type { Tensor } from '../../tensor/tensor.js';
import { BaseRnn, type RecurrentOutput, type RnnArgs } from './base-rnn.js';
import { builtWeight } from './internal/args.js';
import { registerLayer } from './registry.js';

/**
 * The fully connected recurrent layer: h = activation(x_t·kernel + h·recurrentKernel + bias), with
 * kernel [in, units], recurrentKernel [units, units], bias [units].
 * x [batch, steps, in] → [batch, units] ([batch, steps, units] with returnSequences).
 * `new SimpleRNN(32)`
 */
export class SimpleRNN extends BaseRnn {
  static override className = 'SimpleRNN';

  constructor(units: number, args: RnnArgs = {}) {
    super(1, 1, units, args);
  }

  protected override recur(
    x: Tensor,
    initial: (Tensor | null)[],
    mask: Tensor | null,
    recurrentMask: Tensor | null,
  ): RecurrentOutput {
    const r = simpleRnn(x, builtWeight(this, this.kernel), this.recurrentKernel!, this.bias, {
      initialH: initial[0],
      mask,
      goBackwards: this.goBackwards,
      recurrentMask,
      activation: this.fusedName('activation', this.activation),
    });
    return { sequences: r.sequences, states: [r.lastH] };
  }

  /** Rebuilds a `SimpleRNN` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): SimpleRNN {
    const { units, ...args } = config;
    return new SimpleRNN(units as number, args as RnnArgs);
  }
}

registerLayer(SimpleRNN);
