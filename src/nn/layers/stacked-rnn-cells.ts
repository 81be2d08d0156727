import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SerializedObject } from '../engine/serialization.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel } from './internal/args.js';
import {
  type CellLayer,
  cellOutputShape,
  checkCell,
  type RecurrentCell,
  runCell,
} from './internal/rnn-cell.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';

/**
 * Several cells as one (Keras's StackedRNNCells): each step feeds the first cell's output to the
 * second, and so on; the states are the cells' states in order, the output the last cell's.
 * `new RNN(new StackedRNNCells([new LSTMCell(32), new LSTMCell(16)]))`
 */
export class StackedRNNCells extends Layer implements RecurrentCell {
  static override className = 'StackedRNNCells';
  readonly cells: CellLayer[];

  constructor(cells: CellLayer[], args: LayerArgs = {}) {
    super(args);
    if (!Array.isArray(cells) || cells.length === 0)
      throw new RangeError('StackedRNNCells: cells must be a non-empty array of cells');
    for (const c of cells) checkCell('StackedRNNCells', c);
    this.cells = [...cells];
  }

  override get sublayers(): Layer[] {
    return this.cells;
  }

  /** Every cell's state sizes, first cell first. */
  get stateSize(): number[] {
    return this.cells.flatMap((c) => [...c.stateSize]);
  }

  /** The last cell's output size. */
  get outputSize(): number {
    return this.cells[this.cells.length - 1]!.outputSize;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    let shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    for (const cell of this.cells) {
      cell.ensureBuilt(shape);
      shape = [shape[0]!, cell.outputSize];
    }
    this.built = true;
  }

  /** Splits the flat state list into each cell's states. */
  private perCell(states: Tensor[]): Tensor[][] {
    if (states.length !== this.stateSize.length)
      throw new RangeError(
        `${layerLabel(this)}: expected ${this.stateSize.length} state tensor(s), got ${states.length}`,
      );
    let at = 0;
    return this.cells.map((c) => {
      const own = states.slice(at, at + c.stateSize.length);
      at += c.stateSize.length;
      return own;
    });
  }

  /** One step: `[x [batch, in], ...states]` → `[output, ...newStates]`. */
  override call(inputs: LayerInput, args: CallArgs = {}): Tensor[] {
    const [x, ...states] = Array.isArray(inputs) ? inputs : [inputs];
    const split = this.perCell(states);
    let h = x!;
    const next: Tensor[] = [];
    this.cells.forEach((cell, i) => {
      const r = cell.apply([h, ...split[i]!], { training: args.training });
      const [out, ...s] = (Array.isArray(r) ? r : [r]) as Tensor[];
      h = out!;
      next.push(...s);
    });
    return [h, ...next];
  }

  /**
   * The whole sequence, one cell after another (each over all steps): the same values as
   * stepping the stack, with each built-in cell's fused op.
   */
  runSequence(
    x: Tensor,
    initial: Tensor[],
    mask: Tensor | null,
    training: boolean,
  ): { sequences: Tensor; states: Tensor[]; last: Tensor } {
    const split = this.perCell(initial);
    let sequences = x;
    let last = x;
    const states: Tensor[] = [];
    this.cells.forEach((cell, i) => {
      const r = runCell(cell, sequences, split[i]!, mask, training);
      sequences = r.sequences;
      last = r.last;
      states.push(...r.states);
    });
    return { sequences, states, last };
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    return cellOutputShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cells: this.cells.map((c) => serializeLayer(c)) };
  }

  /** Rebuilds a `StackedRNNCells` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): StackedRNNCells {
    const { cells, ...args } = config;
    return new StackedRNNCells(
      (cells as SerializedObject[]).map((c) => deserializeLayer(c) as CellLayer),
      args as LayerArgs,
    );
  }
}

registerLayer(StackedRNNCells);
