import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import {
  cellBuildShape,
  cellConfig,
  cellLayerArgs,
  cellOutputShape,
  cellStepInputs,
  type RecurrentCell,
  type RnnCellArgs,
} from './internal/rnn-cell.js';
import { LSTM, type LstmArgs } from './lstm.js';
import { registerLayer } from './registry.js';

/** Keras's LSTMCell arguments (LSTM's, less the sequence options). */
export type LstmCellArgs = RnnCellArgs & Pick<LstmArgs, 'unitForgetBias'>;

/**
 * The LSTM's cell for the `RNN` wrapper (Keras's LSTMCell): the same weights (kernel [in, 4·units],
 * recurrentKernel [units, 4·units], bias [4·units], gates i, f, c, o) and the same fused op, one
 * step per call. `new RNN(new LSTMCell(32))` equals `new LSTM(32)`.
 */
export class LSTMCell extends LSTM implements RecurrentCell {
  static override className = 'LSTMCell';

  constructor(units: number, args: LstmCellArgs = {}) {
    super(units, cellLayerArgs('LSTMCell', args));
  }

  /** The states h and c, each [batch, units]. */
  get stateSize(): number[] {
    return [this.units, this.units];
  }

  /** The output's last axis: units. */
  get outputSize(): number {
    return this.units;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    super.build(cellBuildShape('LSTMCell', inputShape));
  }

  /** One step: `[x [batch, in], ...states]` → `[output, ...newStates]`. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor[] {
    return super.call(cellStepInputs('LSTMCell', this.name, inputs), args) as Tensor[];
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    return cellOutputShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return cellConfig(super.getConfig());
  }

  /** Rebuilds a `LSTMCell` from the config its `getConfig()` returns (deserialization). */
  static override fromConfig(config: Record<string, unknown>): LSTMCell {
    const { units, ...args } = config;
    return new LSTMCell(units as number, args as LstmCellArgs);
  }
}

registerLayer(LSTMCell);
