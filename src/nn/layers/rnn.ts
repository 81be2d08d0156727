import { cast, concat, reshape, reverse, slice, stopGradient, where } from '../../ops/index.js';
import { zeros } from '../../tensor/create.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SerializedObject } from '../engine/serialization.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel } from './internal/args.js';
import { type CellLayer, checkCell, runCell } from './internal/rnn-cell.js';
import { deserializeLayer, registerLayer, serializeLayer } from './registry.js';
import { StackedRNNCells } from './stacked-rnn-cells.js';

/** Keras's arguments of the generic `RNN` wrapper. */
export interface RnnWrapperArgs extends LayerArgs {
  /** Return the output of every step [batch, steps, out] instead of the last [batch, out]. */
  returnSequences?: boolean;
  /** Also return the last states: [output, ...states]. */
  returnState?: boolean;
  /** Process the steps last to first (the output sequence comes reversed). */
  goBackwards?: boolean;
  /** Each call starts from the previous call's last states, until `resetStates()`. */
  stateful?: boolean;
  /** Accepted for Keras compatibility; the loop is the same either way. */
  unroll?: boolean;
  /**
   * With a mask and returnSequences: output zeros at masked steps (true) or, as Keras by default,
   * repeat the previous step's output (false; the first state's initial value before any step).
   */
  zeroOutputForMask?: boolean;
}

/**
 * Keras's generic recurrent layer: runs a cell (LSTMCell, GRUCell, SimpleRNNCell, StackedRNNCells
 * or any layer with `stateSize`, `outputSize` and `call([x_t, ...states]) → [out, ...states]`)
 * over the steps of x [batch, steps, features]. The built-in cells run their layer's fused op over
 * the whole sequence; other cells run one `call` per step. A list of cells is stacked.
 * Initial states come as extra inputs (`rnn.apply([x, h0, c0])`) or the call argument
 * `initialState`. `new RNN(new LSTMCell(32), {returnSequences: true})`
 */
export class RNN extends Layer {
  static override className = 'RNN';
  readonly cell: CellLayer;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  readonly zeroOutputForMask: boolean;
  private heldStates: Tensor[] | null = null;
  private inputDim: number | null = null;

  constructor(cell: CellLayer | CellLayer[], args: RnnWrapperArgs = {}) {
    super(args);
    const c = Array.isArray(cell) ? new StackedRNNCells(cell) : cell;
    checkCell('RNN', c);
    this.cell = c;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.unroll = args.unroll ?? false;
    this.zeroOutputForMask = args.zeroOutputForMask ?? false;
    this.supportsMasking = true;
  }

  override get sublayers(): Layer[] {
    return [this.cell];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const inDim = shape[2];
    if (shape.length !== 3 || inDim === null || inDim === undefined)
      throw this.shapeError('(None, steps, features) with a known last axis', shape);
    this.inputDim = inDim;
    this.cell.ensureBuilt([shape[0]!, inDim]);
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    let x = list[0]!;
    const label = layerLabel(this);
    if (x.rank !== 3 || x.shape[2] !== this.inputDim)
      throw this.shapeError(`(None, steps, ${this.inputDim})`, x.shape);
    const [batch, steps] = x.shape as [number, number];
    const sizes = this.cell.stateSize;
    const given = (args['initialState'] as Tensor | Tensor[] | undefined) ?? list.slice(1);
    let initial = Array.isArray(given) ? given : [given];
    if (initial.length !== 0 && initial.length !== sizes.length)
      throw new RangeError(
        `${label}: expected ${sizes.length} initial state tensor(s) of sizes [${sizes.join(', ')}], got ${initial.length}`,
      );
    initial.forEach((s, i) => {
      if (s.rank !== 2 || s.shape[0] !== batch || s.shape[1] !== sizes[i])
        throw new RangeError(
          `${label}: initial state ${i} must be [${batch}, ${sizes[i]}], got ${formatShape(s.shape)}`,
        );
    });
    if (this.stateful && initial.length === 0 && this.heldStates) {
      const held = this.heldStates[0]!.shape[0];
      if (held !== batch)
        throw new RangeError(
          `${label}: this stateful layer carries states for a batch of ${held}, got a batch of ${batch}; keep the batch size or call resetStates()`,
        );
      initial = this.heldStates;
    }
    if (initial.length === 0) initial = sizes.map((s) => zeros([batch, s]));
    let mask = args.mask ?? null;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== steps))
      throw new RangeError(
        `${label}: the mask ${formatShape(mask.shape)} does not match the input ${formatShape(x.shape)}; expected [${batch}, ${steps}]`,
      );
    if (this.goBackwards) {
      x = reverse(x, [1]);
      if (mask) mask = reverse(mask, [1]);
    }
    const r = runCell(this.cell, x, initial, mask, args.training === true);
    if (this.stateful) this.heldStates = r.states.map((s) => stopGradient(s));
    let output = this.returnSequences ? r.sequences : r.last;
    if (mask && this.returnSequences && !this.zeroOutputForMask)
      output = this.repeatMaskedOutputs(output, mask, initial[0]!);
    return this.returnState ? [output, ...r.states] : output;
  }

  /**
   * Keras's zero_output_for_mask=False: a masked step outputs the previous step's output, the
   * first state's initial value before any (Keras's scan takes states[0] as the last output).
   */
  private repeatMaskedOutputs(sequences: Tensor, mask: Tensor, first: Tensor): Tensor {
    const [batch, steps, units] = sequences.shape as [number, number, number];
    const stacked = this.cell instanceof StackedRNNCells;
    let prev =
      !stacked && first.shape[1] === units ? first : zeros([batch, units], sequences.dtype);
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const m = cast(slice(mask, [0, t], [batch, 1]), 'bool');
      const out = where(
        m,
        reshape(slice(sequences, [0, t, 0], [batch, 1, units]), [batch, units]),
        prev,
      );
      outputs.push(reshape(out, [batch, 1, units]));
      prev = out;
    }
    return concat(outputs, 1);
  }

  /** Forgets the carried states of a stateful layer: the next call starts from zeros. */
  override resetStates(): void {
    this.heldStates = null;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]) {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    if (shape.length !== 3) throw this.shapeError('(None, steps, features)', shape);
    const b = shape[0]!;
    const out: SymbolicShape = this.returnSequences
      ? [b, shape[1]!, this.cell.outputSize]
      : [b, this.cell.outputSize];
    return this.returnState
      ? [out, ...this.cell.stateSize.map((s) => [b, s] as SymbolicShape)]
      : out;
  }

  override computeMask(_inputs: LayerInput, mask: Tensor | null | undefined): Tensor | null {
    return this.returnSequences ? (mask ?? null) : null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      cell: serializeLayer(this.cell),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      zeroOutputForMask: this.zeroOutputForMask,
    };
  }

  /** Rebuilds an `RNN` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RNN {
    const { cell, ...args } = config;
    return new RNN(deserializeLayer(cell as SerializedObject) as CellLayer, args as RnnWrapperArgs);
  }
}

registerLayer(RNN);
