import { dropout, mul, reshape, stopGradient } from '../../ops/index.js';
import type { RnnActivation } from '../../ops/internal/recurrent.js';
import { Rng } from '../../random/rng.js';
import { ones } from '../../tensor/create.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import type { ActivationFn } from '../activations/activations.js';
import { type ActivationIdentifier, serializeActivation } from '../activations/get-activation.js';
import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
  type WeightInitializer,
  type WeightRegularizer,
} from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import {
  type InitializerIdentifier,
  type InitializerName,
  serializeInitializer,
} from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { builtWeight, layerLabel, positiveInt } from './internal/args.js';
import {
  regularizerConfig,
  resolveActivation,
  resolveInitializer,
  resolveRegularizer,
} from './internal/config.js';

/** Keras's arguments of SimpleRNN, GRU and LSTM. */
export interface RnnArgs extends LayerArgs {
  activation?: ActivationIdentifier;
  recurrentActivation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** Fraction of the input features dropped in training (one mask per batch, all steps). */
  dropout?: number;
  /** Fraction of the recurrent state dropped before the recurrent product in training. */
  recurrentDropout?: number;
  /** Return the output of every step [batch, steps, units] instead of the last [batch, units]. */
  returnSequences?: boolean;
  /** Also return the last states: [output, h] (SimpleRNN, GRU) or [output, h, c] (LSTM). */
  returnState?: boolean;
  /** Process the steps last to first (the output sequence comes reversed). */
  goBackwards?: boolean;
  stateful?: boolean;
  unroll?: boolean;
  /** Seeds the layer's own dropout generator. */
  seed?: number | null;
}

/** What a recurrent layer's fused op returns. */
export interface RecurrentOutput {
  sequences: Tensor;
  states: Tensor[];
}

const FUSED: Record<string, RnnActivation> = {
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  linear: 'linear',
  hardSigmoid: 'hard_sigmoid',
  tfjs_hard_sigmoid: 'tfjs_hard_sigmoid',
};

function rate(cls: string, arg: string, v: number | undefined): number {
  const r = v ?? 0;
  if (typeof r !== 'number' || !(r >= 0 && r < 1))
    throw new RangeError(`${cls}: ${arg} must be a number in [0, 1), got ${String(v)}`);
  return r;
}

/**
 * The shared body of SimpleRNN, GRU and LSTM (Keras's RNN with its cell folded in): weights
 * kernel [in, gates·units], recurrentKernel [units, gates·units], bias; dropout masks sampled once
 * per call; masks; initial states as extra inputs (`layer.apply([x, h0, c0])`) or the call
 * argument `initialState`. Subclasses run their fused op.
 */
export abstract class BaseRnn extends Layer {
  readonly units: number;
  readonly activation: ActivationFn;
  readonly recurrentActivation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: WeightInitializer;
  readonly recurrentInitializer: WeightInitializer;
  readonly biasInitializer: WeightInitializer;
  readonly kernelRegularizer: WeightRegularizer | null;
  readonly recurrentRegularizer: WeightRegularizer | null;
  readonly biasRegularizer: WeightRegularizer | null;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  /**
   * Keras's stateful RNN: each call starts from the last states of the previous call (batch row i
   * continues batch row i), until `resetStates()`. The carried states hold no gradient history.
   */
  readonly stateful: boolean;
  readonly seed: number | null;
  private heldStates: Tensor[] | null = null;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;
  private readonly rng: Rng | undefined;

  protected constructor(
    /** Gate blocks per unit in the kernels (LSTM 4, GRU 3, SimpleRNN 1). */
    readonly gates: number,
    /** Number of state tensors (LSTM 2: h and c). */
    readonly stateCount: number,
    units: number,
    args: RnnArgs,
  ) {
    super(args);
    const cls = (this.constructor as typeof Layer).className;
    this.units = positiveInt(cls, 'units', units);
    this.activation = resolveActivation(cls, args.activation ?? 'tanh');
    this.recurrentActivation = resolveActivation(cls, args.recurrentActivation ?? 'sigmoid');
    this.fusedName('activation', this.activation);
    this.fusedName('recurrentActivation', this.recurrentActivation);
    this.useBias = args.useBias ?? true;
    const init = (arg: string, v: InitializerIdentifier | undefined, d: InitializerName) =>
      resolveInitializer(cls, arg, v, d);
    this.kernelInitializer = init('kernelInitializer', args.kernelInitializer, 'glorotUniform');
    this.recurrentInitializer = init(
      'recurrentInitializer',
      args.recurrentInitializer,
      'orthogonal',
    );
    this.biasInitializer = init('biasInitializer', args.biasInitializer, 'zeros');
    this.kernelRegularizer = resolveRegularizer(cls, 'kernelRegularizer', args.kernelRegularizer);
    this.recurrentRegularizer = resolveRegularizer(
      cls,
      'recurrentRegularizer',
      args.recurrentRegularizer,
    );
    this.biasRegularizer = resolveRegularizer(cls, 'biasRegularizer', args.biasRegularizer);
    this.dropout = rate(cls, 'dropout', args.dropout);
    this.recurrentDropout = rate(cls, 'recurrentDropout', args.recurrentDropout);
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? undefined : new Rng(this.seed);
    this.supportsMasking = true;
  }

  override ownRandomGenerators(): Rng[] {
    return this.rng ? [this.rng] : [];
  }

  /** The fused kernel's name of an activation; others are rejected naming the layer. */
  protected fusedName(arg: string, fn: ActivationFn): RnnActivation {
    let name: string | undefined;
    try {
      name = serializeActivation(fn);
    } catch {
      name = fn.name;
    }
    const fused = FUSED[name];
    if (!fused) {
      throw new RangeError(
        `${(this.constructor as typeof Layer).className}: ${arg} '${name}' is not supported; use one of ${Object.keys(FUSED).join(', ')}`,
      );
    }
    return fused;
  }

  /** The bias initial value (LSTM overrides it for unitForgetBias). */
  protected biasShape(): number[] {
    return [this.gates * this.units];
  }

  /**
   * The initializer of the fused bias, `[gates * units]` (LSTM overrides it for `unitForgetBias`).
   */
  protected makeBiasInitializer(): WeightInitializer {
    return this.biasInitializer;
  }

  /** Runs the fused recurrent op. */
  protected abstract recur(
    x: Tensor,
    initialStates: (Tensor | null)[],
    mask: Tensor | null,
    recurrentMask: Tensor | null,
  ): RecurrentOutput;

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const inDim = shape[2];
    if (shape.length !== 3 || inDim === null || inDim === undefined)
      throw this.shapeError('(None, steps, features) with a known last axis', shape);
    const g = this.gates * this.units;
    this.kernel = this.addWeight('kernel', {
      shape: [inDim, g],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    this.recurrentKernel = this.addWeight('recurrent_kernel', {
      shape: [this.units, g],
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
    });
    if (this.useBias) {
      this.bias = this.addWeight('bias', {
        shape: this.biasShape(),
        initializer: this.makeBiasInitializer(),
        regularizer: this.biasRegularizer,
      });
    }
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const x = list[0]!;
    const label = layerLabel(this);
    if (x.rank !== 3) throw this.shapeError('(None, steps, features)', x.shape);
    const inDim = builtWeight(this, this.kernel).shape[0]!;
    if (x.shape[2] !== inDim) throw this.shapeError(`(None, steps, ${inDim})`, x.shape);
    const given = (args['initialState'] as Tensor | Tensor[] | undefined) ?? list.slice(1);
    let initial = Array.isArray(given) ? given : [given];
    if (initial.length !== 0 && initial.length !== this.stateCount)
      throw new RangeError(
        `${label}: expected ${this.stateCount} initial state tensor(s) [batch, ${this.units}], got ${initial.length}`,
      );
    const [batch, steps] = x.shape as [number, number];
    if (this.stateful && initial.length === 0 && this.heldStates) {
      const held = this.heldStates[0]!.shape[0];
      if (held !== batch)
        throw new RangeError(
          `${label}: this stateful layer carries states for a batch of ${held}, got a batch of ${batch}; keep the batch size or call resetStates()`,
        );
      initial = this.heldStates;
    }
    const mask = args.mask ?? null;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== steps))
      throw new RangeError(
        `${label}: the mask ${formatShape(mask.shape)} does not match the input ${formatShape(x.shape)}; expected [${batch}, ${steps}]`,
      );
    const { sequences, states } = this.runSequence(x, initial, mask, args.training === true);
    if (this.stateful) this.heldStates = states.map((s) => stopGradient(s));
    const output = this.returnSequences ? sequences : states[0]!;
    return this.returnState ? [output, ...states] : output;
  }

  /**
   * The whole time loop on checked inputs: samples the dropout masks (in training) and runs the
   * fused op. x [batch, steps, in], initial states [batch, units] (or none for zeros), mask
   * [batch, steps] or null. The RNN wrapper runs its built-in cells through this.
   */
  runSequence(
    x: Tensor,
    initial: (Tensor | null)[],
    mask: Tensor | null,
    training: boolean,
  ): RecurrentOutput {
    const [batch, , inDim] = x.shape as [number, number, number];
    let recMask: Tensor | null = null;
    if (training) {
      if (this.dropout > 0) {
        const keep = dropout(ones([batch, inDim]), this.dropout, { rng: this.rng });
        x = mul(x, reshape(keep, [batch, 1, inDim]));
      }
      if (this.recurrentDropout > 0)
        recMask = dropout(ones([batch, this.units]), this.recurrentDropout, { rng: this.rng });
    }
    return this.recur(x, initial, mask, recMask);
  }

  /** Forgets the carried states of a stateful layer: the next call starts from zeros. */
  override resetStates(): void {
    this.heldStates = null;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]) {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    if (shape.length !== 3) throw this.shapeError('(None, steps, features)', shape);
    const state: SymbolicShape = [shape[0]!, this.units];
    const out: SymbolicShape = this.returnSequences ? [shape[0]!, shape[1]!, this.units] : state;
    return this.returnState ? [out, ...Array.from({ length: this.stateCount }, () => state)] : out;
  }

  override computeMask(_inputs: LayerInput, mask: Tensor | null | undefined): Tensor | null {
    return this.returnSequences ? (mask ?? null) : null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: serializeActivation(this.activation),
      ...(this.gates > 1
        ? { recurrentActivation: serializeActivation(this.recurrentActivation) }
        : {}),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      recurrentRegularizer: regularizerConfig(this.recurrentRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      ...(this.stateful ? { stateful: true } : {}),
      seed: this.seed,
    };
  }
}
