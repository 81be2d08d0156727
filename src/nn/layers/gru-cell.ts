import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { GRU, type GruArgs } from './gru.js';
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

/** Keras's GRUCell arguments (GRU's, less the sequence options). */
export type GruCellArgs = RnnCellArgs & Pick<GruArgs, 'resetAfter'>;

/**
 * The GRU's cell for the `RNN` wrapper (Keras's GRUCell): the same weights (kernel [in, 3·units],
 * recurrentKernel [units, 3·units], bias [2, 3·units] with resetAfter, gates z, r, h) and the same
 * math, one step per call. `new RNN(new GRUCell(32))` equals `new GRU(32)`.
 */
export class GRUCell extends GRU implements RecurrentCell {
  static override className = 'GRUCell';

  constructor(units: number, args: GruCellArgs = {}) {
    super(units, cellLayerArgs('GRUCell', args));
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
    super.build(cellBuildShape('GRUCell', inputShape));
  }

  /** One step: `[x [batch, in], ...states]` → `[output, ...newStates]`. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor[] {
    return super.call(cellStepInputs('GRUCell', this.name, inputs), args) as Tensor[];
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    return cellOutputShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return cellConfig(super.getConfig());
  }

  /** Rebuilds a `GRUCell` from the config its `getConfig()` returns (deserialization). */
  static override fromConfig(config: Record<string, unknown>): GRUCell {
    const { units, ...args } = config;
    return new GRUCell(units as number, args as GruCellArgs);
  }
}

registerLayer(GRUCell);
