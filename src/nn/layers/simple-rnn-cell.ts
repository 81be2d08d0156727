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
import { registerLayer } from './registry.js';
import { SimpleRNN } from './simple-rnn.js';

/**
 * The SimpleRNN's cell for the `RNN` wrapper (Keras's SimpleRNNCell): kernel [in, units],
 * recurrentKernel [units, units], bias [units]; h = activation(x·kernel + h·recurrentKernel + bias),
 * one step per call. `new RNN(new SimpleRNNCell(32))` equals `new SimpleRNN(32)`.
 */
export class SimpleRNNCell extends SimpleRNN implements RecurrentCell {
  static override className = 'SimpleRNNCell';

  constructor(units: number, args: RnnCellArgs = {}) {
    super(units, cellLayerArgs('SimpleRNNCell', args));
  }

  /** The state h, [batch, units]. */
  get stateSize(): number[] {
    return [this.units];
  }

  /** The output's last axis: units. */
  get outputSize(): number {
    return this.units;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    super.build(cellBuildShape('SimpleRNNCell', inputShape));
  }

  /** One step: `[x [batch, in], ...states]` → `[output, ...newStates]`. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor[] {
    return super.call(cellStepInputs('SimpleRNNCell', this.name, inputs), args) as Tensor[];
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    return cellOutputShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return cellConfig(super.getConfig());
  }

  /** Rebuilds a `SimpleRNNCell` from the config its `getConfig()` returns (deserialization). */
  static override fromConfig(config: Record<string, unknown>): SimpleRNNCell {
    const { units, ...args } = config;
    return new SimpleRNNCell(units as number, args as RnnCellArgs);
  }
}

registerLayer(SimpleRNNCell);
