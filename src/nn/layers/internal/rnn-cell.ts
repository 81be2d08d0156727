import { cast, reshape, slice, stack, where } from '../../../ops/index.js';
import { zeros } from '../../../tensor/create.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { Layer, LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import type { RnnArgs } from '../base-rnn.js';

/**
 * What `RNN` needs of a cell (Keras's cell protocol): a layer whose `call([x, ...states])` maps
 * one step's input [batch, features] and its states [batch, stateSize[i]] to
 * `[output [batch, outputSize], ...newStates]`.
 */
export interface RecurrentCell {
  /** The size of each state tensor, in the order `call` takes and returns them. */
  readonly stateSize: readonly number[];
  /** The last axis of the output. */
  readonly outputSize: number;
  /**
   * Optional fast path: the whole sequence at once (x [batch, steps, features]); the built-in
   * cells run their layer's fused op here.
   */
  runSequence?(
    x: Tensor,
    initial: Tensor[],
    mask: Tensor | null,
    training: boolean,
  ): { sequences: Tensor; states: Tensor[]; last?: Tensor };
}

/** A layer that is a recurrent cell. */
export type CellLayer = Layer & RecurrentCell;

/** The arguments of SimpleRNNCell, GRUCell and LSTMCell: the layer's, less the sequence options. */
export type RnnCellArgs = Omit<
  RnnArgs,
  'returnSequences' | 'returnState' | 'goBackwards' | 'stateful' | 'unroll'
>;

const SEQUENCE_ARGS = ['returnSequences', 'returnState', 'goBackwards', 'stateful', 'unroll'];

/** Rejects RNN's sequence options given to a cell; the layer runs the cell with returnState. */
export function cellLayerArgs(cls: string, args: RnnCellArgs): RnnArgs {
  for (const k of SEQUENCE_ARGS)
    if (k in args && (args as Record<string, unknown>)[k] !== undefined)
      throw new RangeError(`${cls}: ${k} is an argument of the RNN wrapper, not of a cell`);
  return { ...args, returnState: true };
}

/** A cell's config: its layer's, less the sequence options (Keras's cell config). */
export function cellConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out = { ...config };
  for (const k of SEQUENCE_ARGS) delete out[k];
  return out;
}

/** The step input's shape [batch, features] (first of a list) as the layer's [batch, 1, features]. */
export function cellBuildShape(cls: string, inputShape: SymbolicShape | SymbolicShape[]) {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
  if (shape.length !== 2 || shape[1] === null)
    throw new RangeError(
      `${cls}: expected a step input (None, features) with a known last axis, got [${shape.map((d) => d ?? 'None').join(', ')}]`,
    );
  return [shape[0]!, 1, shape[1]!] as SymbolicShape;
}

/** One step's inputs [x [batch, features], ...states] as the layer's [x [batch, 1, features], ...]. */
export function cellStepInputs(cls: string, name: string, inputs: LayerInput): Tensor[] {
  const [x, ...states] = Array.isArray(inputs) ? inputs : [inputs];
  if (x?.rank !== 2)
    throw new RangeError(
      `${cls} '${name}': expected a step input [batch, features], got [${x?.shape.join(', ') ?? ''}]`,
    );
  return [reshape(x, [x.shape[0]!, 1, x.shape[1]!]), ...states];
}

/** A cell's output shapes: [output, ...states], each [batch, size]. */
export function cellOutputShape(
  cell: RecurrentCell,
  inputShape: SymbolicShape | SymbolicShape[],
): SymbolicShape[] {
  const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
  const batch = shape[0] ?? null;
  return [[batch, cell.outputSize], ...cell.stateSize.map((s) => [batch, s] as SymbolicShape)];
}

/** Checks that `cell` is a layer with Keras's cell protocol; names the caller. */
export function checkCell(owner: string, cell: unknown): asserts cell is CellLayer {
  const c = cell as Partial<RecurrentCell> & { call?: unknown };
  if (
    !c ||
    typeof c.call !== 'function' ||
    !Array.isArray(c.stateSize) ||
    c.stateSize.some((s) => !Number.isInteger(s) || s <= 0) ||
    !Number.isInteger(c.outputSize)
  )
    throw new TypeError(
      `${owner}: cell must be a layer with stateSize (positive integers) and outputSize, such as LSTMCell, GRUCell, SimpleRNNCell or StackedRNNCells`,
    );
}

/**
 * Runs a cell over x [batch, steps, features] from the given states: the cell's own fused path
 * when it has one, else one `cell.apply([x_t, ...states])` per step. At masked steps the states
 * are kept and the output is 0 (as Keel's fused layers). `last` is the last unmasked output.
 */
export function runCell(
  cell: CellLayer,
  x: Tensor,
  initial: Tensor[],
  mask: Tensor | null,
  training: boolean,
): { sequences: Tensor; states: Tensor[]; last: Tensor } {
  if (cell.runSequence) {
    const r = cell.runSequence(x, initial, mask, training);
    return { ...r, last: r.last ?? r.states[0]! };
  }
  const [batch, steps, features] = x.shape as [number, number, number];
  const zero = zeros([batch, cell.outputSize]);
  let states = initial;
  let last = zero;
  const outputs: Tensor[] = [];
  for (let t = 0; t < steps; t++) {
    const xt = reshape(slice(x, [0, t, 0], [batch, 1, features]), [batch, features]);
    const r = cell.apply([xt, ...states], { training });
    const [out, ...next] = (Array.isArray(r) ? r : [r]) as Tensor[];
    if (next.length !== states.length)
      throw new RangeError(
        `${cell.name}: the cell returned ${next.length} state(s), its stateSize has ${states.length}`,
      );
    if (mask) {
      const m = cast(reshape(slice(mask, [0, t], [batch, 1]), [batch, 1]), 'bool');
      outputs.push(where(m, out!, zero));
      last = where(m, out!, last);
      states = next.map((s, i) => where(m, s, states[i]!));
    } else {
      outputs.push(out!);
      last = out!;
      states = next;
    }
  }
  const sequences = steps > 0 ? stack(outputs, 1) : zeros([batch, 0, cell.outputSize]);
  return { sequences, states, last };
}
