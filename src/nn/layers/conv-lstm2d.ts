import {
  add,
  cast,
  concat,
  conv2d,
  dropout,
  mul,
  reshape,
  reverse,
  slice,
  split,
  stack,
  where,
} from '../../ops/index.js';
import { Rng } from '../../random/rng.js';
import { ones, zeros } from '../../tensor/create.js';
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
import { getInitializer } from '../initializers/get-initializer.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import {
  builtWeight,
  checkDataFormat,
  convOutputLength,
  layerLabel,
  normalizeTuple,
  oneOf,
  positiveInt,
} from './internal/args.js';
import {
  regularizerConfig,
  resolveActivation,
  resolveInitializer,
  resolveRegularizer,
} from './internal/config.js';
import { registerLayer } from './registry.js';

/** Keras's arguments of `ConvLSTM2D`. */
export interface ConvLstm2DArgs extends LayerArgs {
  /** Of the input convolution (the recurrent one always has strides 1 and 'same'). */
  strides?: number | readonly number[];
  padding?: 'valid' | 'same';
  dilationRate?: number | readonly number[];
  activation?: ActivationIdentifier;
  recurrentActivation?: ActivationIdentifier;
  useBias?: boolean;
  kernelInitializer?: InitializerIdentifier;
  recurrentInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  recurrentRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** Start the forget gate's bias at 1; true by default. */
  unitForgetBias?: boolean;
  /** Fraction of the input dropped in training (one mask per call, shared by steps and gates). */
  dropout?: number;
  /** Fraction of the state h dropped before the recurrent convolution in training. */
  recurrentDropout?: number;
  returnSequences?: boolean;
  returnState?: boolean;
  goBackwards?: boolean;
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
  seed?: number | null;
}

const rate = (arg: string, v: number | undefined): number => {
  const r = v ?? 0;
  if (typeof r !== 'number' || !(r >= 0 && r < 1))
    throw new RangeError(`ConvLSTM2D: ${arg} must be a number in [0, 1), got ${String(v)}`);
  return r;
};

/**
 * Keras's convolutional LSTM over a sequence of NHWC images x [batch, steps, h, w, in]: the LSTM
 * gates (i, f, c, o) come from conv(x_t, kernel [kh, kw, in, 4·filters]) + conv(h,
 * recurrentKernel [kh, kw, filters, 4·filters], 'same') + bias [4·filters]; h and c are
 * [batch, h', w', filters]. Output [batch, h', w', filters] ([batch, steps, h', w', filters] with
 * returnSequences; then [output, h, c] with returnState). Masks keep the states at padded steps.
 * `new ConvLSTM2D(8, 3, {padding: 'same', returnSequences: true})`
 */
export class ConvLSTM2D extends Layer {
  static override className = 'ConvLSTM2D';
  readonly filters: number;
  readonly kernelSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dilationRate: number[];
  readonly activation: ActivationFn;
  readonly recurrentActivation: ActivationFn;
  readonly useBias: boolean;
  readonly kernelInitializer: WeightInitializer;
  readonly recurrentInitializer: WeightInitializer;
  readonly biasInitializer: WeightInitializer;
  readonly kernelRegularizer: WeightRegularizer | null;
  readonly recurrentRegularizer: WeightRegularizer | null;
  readonly biasRegularizer: WeightRegularizer | null;
  readonly unitForgetBias: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly seed: number | null;
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  bias: Variable | null = null;
  private readonly rng: Rng | undefined;

  constructor(filters: number, kernelSize: number | readonly number[], args: ConvLstm2DArgs = {}) {
    super(args);
    const cls = 'ConvLSTM2D';
    this.filters = positiveInt(cls, 'filters', filters);
    this.kernelSize = normalizeTuple(cls, 'kernelSize', kernelSize, 2);
    this.strides = normalizeTuple(cls, 'strides', args.strides ?? 1, 2);
    this.padding = oneOf(cls, 'padding', args.padding ?? 'valid', ['valid', 'same'] as const);
    this.dilationRate = normalizeTuple(cls, 'dilationRate', args.dilationRate ?? 1, 2);
    checkDataFormat(cls, args.dataFormat);
    this.activation = resolveActivation(cls, args.activation ?? 'tanh');
    this.recurrentActivation = resolveActivation(cls, args.recurrentActivation ?? 'sigmoid');
    this.useBias = args.useBias ?? true;
    this.kernelInitializer = resolveInitializer(
      cls,
      'kernelInitializer',
      args.kernelInitializer,
      'glorotUniform',
    );
    this.recurrentInitializer = resolveInitializer(
      cls,
      'recurrentInitializer',
      args.recurrentInitializer,
      'orthogonal',
    );
    this.biasInitializer = resolveInitializer(
      cls,
      'biasInitializer',
      args.biasInitializer,
      'zeros',
    );
    this.kernelRegularizer = resolveRegularizer(cls, 'kernelRegularizer', args.kernelRegularizer);
    this.recurrentRegularizer = resolveRegularizer(
      cls,
      'recurrentRegularizer',
      args.recurrentRegularizer,
    );
    this.biasRegularizer = resolveRegularizer(cls, 'biasRegularizer', args.biasRegularizer);
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.dropout = rate('dropout', args.dropout);
    this.recurrentDropout = rate('recurrentDropout', args.recurrentDropout);
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? undefined : new Rng(this.seed);
    this.supportsMasking = true;
  }

  override ownRandomGenerators(): Rng[] {
    return this.rng ? [this.rng] : [];
  }

  private stepShape(shape: SymbolicShape): SymbolicShape {
    if (shape.length !== 5 || shape[4] === null)
      throw this.shapeError('(None, steps, height, width, channels) with known channels', shape);
    const [oh, ow] = [2, 3].map((a, i) =>
      convOutputLength(
        shape[a]!,
        this.kernelSize[i]!,
        this.padding,
        this.strides[i]!,
        this.dilationRate[i]!,
      ),
    );
    if ((oh !== null && oh! <= 0) || (ow !== null && ow! <= 0))
      throw new RangeError(
        `${layerLabel(this)}: input ${formatShape(shape.map((d) => d ?? 0))} is too small for kernelSize ${JSON.stringify(this.kernelSize)} with padding '${this.padding}'`,
      );
    return [shape[0]!, oh!, ow!, this.filters];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    this.stepShape(shape);
    const [kh, kw] = this.kernelSize as [number, number];
    const f = this.filters;
    this.kernel = this.addWeight('kernel', {
      shape: [kh, kw, shape[4]!, 4 * f],
      initializer: this.kernelInitializer,
      regularizer: this.kernelRegularizer,
    });
    this.recurrentKernel = this.addWeight('recurrent_kernel', {
      shape: [kh, kw, f, 4 * f],
      initializer: this.recurrentInitializer,
      regularizer: this.recurrentRegularizer,
    });
    if (this.useBias) {
      const init = this.biasInitializer;
      const biasInit: WeightInitializer = this.unitForgetBias
        ? (_s, dtype) =>
            concat([init([f], dtype), getInitializer('ones')([f], dtype), init([2 * f], dtype)])
        : init;
      this.bias = this.addWeight('bias', {
        shape: [4 * f],
        initializer: biasInit,
        regularizer: this.biasRegularizer,
      });
    }
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    let x = list[0]!;
    const label = layerLabel(this);
    const kernel = builtWeight(this, this.kernel);
    const inC = kernel.shape[2]!;
    if (x.rank !== 5 || x.shape[4] !== inC)
      throw this.shapeError(`(None, steps, height, width, ${inC})`, x.shape);
    const [batch, steps, h, w] = x.shape as [number, number, number, number, number];
    const state = this.stepShape(x.shape) as number[];
    const given = (args['initialState'] as Tensor[] | undefined) ?? list.slice(1);
    if (given.length !== 0 && given.length !== 2)
      throw new RangeError(`${label}: expected 2 initial states [h, c], got ${given.length}`);
    for (const s of given)
      if (formatShape(s.shape) !== formatShape(state))
        throw new RangeError(
          `${label}: initial states must be ${formatShape(state)}, got ${formatShape(s.shape)}`,
        );
    let mask = args.mask ?? null;
    if (mask && (mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== steps))
      throw new RangeError(
        `${label}: the mask ${formatShape(mask.shape)} does not match the input ${formatShape(x.shape)}; expected [${batch}, ${steps}]`,
      );
    let recMask: Tensor | null = null;
    if (args.training) {
      if (this.dropout > 0) {
        const keep = dropout(ones([batch, h, w, inC]), this.dropout, { rng: this.rng });
        x = mul(x, reshape(keep, [batch, 1, h, w, inC]));
      }
      if (this.recurrentDropout > 0)
        recMask = dropout(ones(state), this.recurrentDropout, { rng: this.rng });
    }
    if (this.goBackwards) {
      x = reverse(x, [1]);
      if (mask) mask = reverse(mask, [1]);
    }
    // Every step's input convolution at once.
    let proj = conv2d(reshape(x, [batch * steps, h, w, inC]), kernel, {
      strides: this.strides as [number, number],
      padding: this.padding,
      dilationRate: this.dilationRate as [number, number],
    });
    if (this.bias) proj = add(proj, this.bias);
    const [, oh, ow] = proj.shape as [number, number, number, number];
    proj = reshape(proj, [batch, steps, oh, ow, 4 * this.filters]);
    let hState = given[0] ?? zeros(state);
    let cState = given[1] ?? zeros(state);
    const zero = zeros(state);
    const outputs: Tensor[] = [];
    for (let t = 0; t < steps; t++) {
      const p = reshape(slice(proj, [0, t, 0, 0, 0], [batch, 1, oh, ow, 4 * this.filters]), [
        batch,
        oh,
        ow,
        4 * this.filters,
      ]);
      const hIn = recMask ? mul(hState, recMask) : hState;
      const z = add(p, conv2d(hIn, this.recurrentKernel!, { padding: 'same' }));
      const [zi, zf, zc, zo] = split(z, 4, -1) as [Tensor, Tensor, Tensor, Tensor];
      const c = add(
        mul(this.recurrentActivation(zf), cState),
        mul(this.recurrentActivation(zi), this.activation(zc)),
      );
      const hNext = mul(this.recurrentActivation(zo), this.activation(c));
      if (mask) {
        const m = cast(reshape(slice(mask, [0, t], [batch, 1]), [batch, 1, 1, 1]), 'bool');
        outputs.push(where(m, hNext, zero));
        hState = where(m, hNext, hState);
        cState = where(m, c, cState);
      } else {
        outputs.push(hNext);
        hState = hNext;
        cState = c;
      }
    }
    const output = this.returnSequences ? stack(outputs, 1) : hState;
    return this.returnState ? [output, hState, cState] : output;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]) {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    const state = this.stepShape(shape);
    const out: SymbolicShape = this.returnSequences
      ? [shape[0]!, shape[1]!, ...state.slice(1)]
      : state;
    return this.returnState ? [out, state, state] : out;
  }

  override computeMask(_inputs: LayerInput, mask: Tensor | null | undefined): Tensor | null {
    return this.returnSequences ? (mask ?? null) : null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dataFormat: 'channels_last',
      dilationRate: this.dilationRate,
      activation: serializeActivation(this.activation),
      recurrentActivation: serializeActivation(this.recurrentActivation),
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      recurrentRegularizer: regularizerConfig(this.recurrentRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
      unitForgetBias: this.unitForgetBias,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      goBackwards: this.goBackwards,
      seed: this.seed,
    };
  }

  /** Rebuilds a `ConvLSTM2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): ConvLSTM2D {
    const { filters, kernelSize, ...args } = config;
    return new ConvLSTM2D(filters as number, kernelSize as number[], args as ConvLstm2DArgs);
  }
}

registerLayer(ConvLSTM2D);
