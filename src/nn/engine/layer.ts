import { noGrad } from '../../autograd/tape.js';
import type { Rng } from '../../random/rng.js';
import { zeros } from '../../tensor/create.js';
import type { DType } from '../../tensor/dtype.js';
import { formatShape, type Shape } from '../../tensor/shape.js';
import { Tensor, Variable } from '../../tensor/tensor.js';
import { formatSymbolicShape, type SymbolicShape, SymbolicTensor } from './symbolic-tensor.js';

/** Arguments every layer accepts (Keras's base-layer keyword arguments). */
export interface LayerArgs {
  name?: string;
  trainable?: boolean;
  dtype?: DType;
  /** Shape of one sample, without the batch axis (Sequential's first layer). */
  inputShape?: readonly (number | null)[];
  /** Full input shape including the batch axis. */
  batchInputShape?: readonly (number | null)[];
  /** Sequential convenience of recurrent/embedding layers: the sequence length. */
  inputLength?: number;
}

export interface CallArgs {
  /** True in the training phase: dropout and noise layers act, batch norm uses batch statistics. */
  training?: boolean;
  /** A [batch, steps] mask of valid time steps, produced by Embedding(maskZero) or Masking. */
  mask?: Tensor | null;
  [key: string]: unknown;
}

/** Computes a penalty from a weight; the result is added to the loss (l1, l2). */
export interface WeightRegularizer {
  (weight: Tensor): Tensor;
  getConfig?(): Record<string, unknown>;
}

/** Makes a weight's initial value (glorotUniform, zeros, ...). */
export interface WeightInitializer {
  (shape: Shape, dtype: DType): Tensor;
  getConfig?(): Record<string, unknown>;
}

export interface AddWeightOptions {
  shape: Shape;
  initializer?: WeightInitializer;
  dtype?: DType;
  trainable?: boolean;
  regularizer?: WeightRegularizer | null;
}

export type LayerInput = Tensor | Tensor[];
export type SymbolicInput = SymbolicTensor | SymbolicTensor[];

const nameCounts = new Map<string, number>();

/** Keras's automatic names: dense, dense_1, dense_2, ... */
export function uniqueName(base: string): string {
  const n = nameCounts.get(base) ?? 0;
  nameCounts.set(base, n + 1);
  return n === 0 ? base : `${base}_${n}`;
}

/** Keras's to_snake_case: Conv2D -> conv2d, MaxPooling2D -> max_pooling2d. */
export function snakeCase(name: string): string {
  return name
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * The base of every layer. Life cycle: the constructor validates the config; `build(inputShape)`
 * creates the weights on first use; `call(inputs, {training, mask})` computes with public ops;
 * `computeOutputShape` and `getConfig` support the functional API and serialization.
 */
export abstract class Layer {
  /** Keys serialization; every concrete layer sets it (e.g. 'Dense'). */
  static className = 'Layer';

  name: string;
  trainable: boolean;
  dtype: DType;
  built = false;
  /** True when the layer passes a mask through unchanged (Dropout, Dense on sequences, ...). */
  supportsMasking = false;
  /** Shape including the batch axis, when given at construction. */
  batchInputShape: SymbolicShape | null;
  /** Symbolic calls of this layer, in order (the functional graph). */
  readonly inboundCalls: {
    inputs: readonly SymbolicTensor[];
    outputs: readonly SymbolicTensor[];
  }[] = [];

  /**
   * The call arguments of the `apply` in progress ({} outside one), so `computeOutputShape` can
   * read options that change the outputs (Attention's returnAttentionScores adds one).
   */
  protected pendingArgs: CallArgs = {};

  private readonly ownWeights: Variable[] = [];
  private readonly regularizers = new Map<Variable, WeightRegularizer>();

  constructor(args: LayerArgs = {}) {
    const className = (this.constructor as typeof Layer).className;
    this.name = args.name ?? uniqueName(snakeCase(className));
    this.trainable = args.trainable ?? true;
    this.dtype = args.dtype ?? 'float32';
    if (args.batchInputShape) this.batchInputShape = [...args.batchInputShape];
    else if (args.inputShape) this.batchInputShape = [null, ...args.inputShape];
    else if (args.inputLength !== undefined) this.batchInputShape = [null, args.inputLength];
    else this.batchInputShape = null;
  }

  /** Creates the layer's weights for inputs of this shape (batch axis null). */
  build(_inputShape: SymbolicShape | SymbolicShape[]): void {
    this.built = true;
  }

  /** The forward computation on concrete tensors. */
  abstract call(inputs: LayerInput, args: CallArgs): LayerInput;

  /**
   * Output shape for an input shape (batch axis null). The default runs `call` once on zeros with
   * a batch of 1, which is exact for every layer whose output shape does not depend on values;
   * layers whose shape rules are cheap to state override it.
   */
  computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape | SymbolicShape[] {
    const multi = isShapeList(inputShape);
    const shapes = multi ? inputShape : [inputShape as SymbolicShape];
    const dummies = shapes.map((s) =>
      zeros(
        s.map((d) => d ?? 1),
        this.dtype,
      ),
    );
    const out = noGrad(() => this.call(multi ? dummies : dummies[0]!, { training: false }));
    const restore = (t: Tensor, ref: SymbolicShape): SymbolicShape =>
      t.shape.map((d, i) => (i === 0 && ref[0] === null ? null : d));
    return Array.isArray(out) ? out.map((t) => restore(t, shapes[0]!)) : restore(out, shapes[0]!);
  }

  /**
   * Forgets state carried between calls (stateful recurrent layers); layers without such state
   * do nothing. `Model.resetStates()` calls it on every layer.
   */
  resetStates(): void {}

  /** The mask of the outputs given the inputs' mask (multi-input layers also get each input's); by default it passes through if supported. */
  computeMask(
    _inputs: LayerInput,
    mask: Tensor | null | undefined,
    _inputMasks?: readonly (Tensor | null)[],
  ): Tensor | null {
    return this.supportsMasking ? (mask ?? null) : null;
  }

  /** Creates a weight, registering it for training, regularization and serialization. */
  addWeight(name: string, options: AddWeightOptions): Variable {
    const dtype = options.dtype ?? this.dtype;
    const size = options.shape.reduce((n, d) => n * d, 1);
    if (!(size <= weightBudget.remaining)) {
      throw new RangeError(
        `${this.name}: weight '${name}' of shape ${formatShape(options.shape)} exceeds the ${weightBudget.remaining} elements the file being loaded allows`,
      );
    }
    weightBudget.remaining -= size;
    // A file that supplies every weight overwrites them: its initializers (an orthogonal one is
    // O(n^3)) would be work a hostile file could make arbitrarily long for nothing.
    const init =
      (weightBudget.skipInitializers ? undefined : options.initializer) ??
      ((shape: Shape, dt: DType) => zeros(shape, dt));
    const value = init(options.shape, dtype);
    if (
      value.shape.length !== options.shape.length ||
      value.shape.some((d, i) => d !== options.shape[i])
    ) {
      throw new Error(
        `${this.name}: initializer for '${name}' returned ${formatShape(value.shape)}, expected ${formatShape(options.shape)}`,
      );
    }
    const v = new Variable(value, {
      name: `${this.name}/${name}`,
      trainable: options.trainable ?? true,
    });
    this.ownWeights.push(v);
    if (options.regularizer) this.regularizers.set(v, options.regularizer);
    return v;
  }

  /**
   * Forgets a weight `addWeight` created, for code that adds weights for a while (learned
   * quantization ranges during quantization-aware training). An unknown weight is an error.
   */
  removeWeight(weight: Variable): void {
    const i = this.ownWeights.indexOf(weight);
    if (i < 0)
      throw new Error(`${this.name}: removeWeight: '${weight.name}' is not a weight of this layer`);
    this.ownWeights.splice(i, 1);
    this.regularizers.delete(weight);
  }

  /** Layers nested inside this one (Bidirectional's, a Model's); their weights are this layer's too. */
  get sublayers(): Layer[] {
    return [];
  }

  /**
   * This layer's own random generators (a seeded Dropout's, ...), not its sublayers'; training
   * checkpoints save and restore their states. Layers drawing from the global generator have none.
   */
  ownRandomGenerators(): Rng[] {
    return [];
  }

  /** All weights: this layer's own, then its sublayers'. */
  get weights(): Variable[] {
    return [...this.ownWeights, ...this.sublayers.flatMap((l) => l.weights)];
  }

  get trainableWeights(): Variable[] {
    if (!this.trainable) return [];
    return [
      ...this.ownWeights.filter((w) => w.trainable),
      ...this.sublayers.flatMap((l) => l.trainableWeights),
    ];
  }

  get nonTrainableWeights(): Variable[] {
    const trainable = new Set(this.trainableWeights);
    return this.weights.filter((w) => !trainable.has(w));
  }

  /** Copies of the weight values, in Keras's order. */
  getWeights(): Tensor[] {
    return this.weights.map((w) => w.clone());
  }

  /** Sets the weights from tensors in `getWeights()` order; shapes must match. */
  setWeights(values: readonly Tensor[]): void {
    const ws = this.weights;
    if (values.length !== ws.length)
      throw new Error(
        `${this.name}: setWeights got ${values.length} tensors, the layer has ${ws.length} weights`,
      );
    ws.forEach((w, i) => {
      const v = values[i]!;
      if (v.shape.length !== w.shape.length || v.shape.some((d, k) => d !== w.shape[k])) {
        throw new Error(
          `${this.name}: setWeights: weight '${w.name}' has shape ${formatShape(w.shape)}, got ${formatShape(v.shape)}`,
        );
      }
      w.assign(v);
    });
  }

  /** The number of scalars in all weights. */
  countParams(): number {
    return this.weights.reduce((n, w) => n + w.size, 0);
  }

  /** The regularization penalties of this layer's (and its sublayers') weights, to be added to the loss. */
  regularizationLosses(): Tensor[] {
    const own = [...this.regularizers]
      .filter(([w]) => this.trainable && w.trainable)
      .map(([w, r]) => r(w));
    return [...own, ...this.sublayers.flatMap((l) => l.regularizationLosses())];
  }

  /** Keras's config: what the constructor needs to rebuild this layer. */
  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      name: this.name,
      trainable: this.trainable,
      dtype: this.dtype,
    };
    if (this.batchInputShape) config['batchInputShape'] = this.batchInputShape;
    return config;
  }

  /**
   * Calls the layer: on tensors it builds (once) and computes; on symbolic tensors it records a
   * node of the functional graph and returns symbolic outputs.
   */
  apply(inputs: SymbolicTensor, args?: CallArgs): SymbolicTensor;
  apply(inputs: SymbolicTensor[], args?: CallArgs): SymbolicTensor | SymbolicTensor[];
  apply(inputs: Tensor, args?: CallArgs): Tensor;
  apply(inputs: LayerInput, args?: CallArgs): LayerInput;
  apply(inputs: LayerInput | SymbolicInput, args: CallArgs = {}): LayerInput | SymbolicInput {
    const outer = this.pendingArgs;
    this.pendingArgs = args;
    try {
      return this.applyWith(inputs, args);
    } finally {
      this.pendingArgs = outer;
    }
  }

  private applyWith(
    inputs: LayerInput | SymbolicInput,
    args: CallArgs,
  ): LayerInput | SymbolicInput {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length > 0 && list.every((t) => t instanceof SymbolicTensor)) {
      return this.applySymbolic(inputs as SymbolicInput, args);
    }
    if (!list.every((t) => t instanceof Tensor)) {
      throw new TypeError(`${this.name}: inputs must be all tensors or all symbolic tensors`);
    }
    const tensors = inputs as LayerInput;
    const shapes = list.map((t) => (t as Tensor).shape as SymbolicShape);
    this.ensureBuilt(Array.isArray(inputs) ? shapes : shapes[0]!);
    return this.call(tensors, args);
  }

  /** Builds on first use with the given input shape(s). */
  ensureBuilt(inputShape: SymbolicShape | SymbolicShape[]): void {
    if (!this.built) {
      this.build(inputShape);
      this.built = true;
    }
  }

  private applySymbolic(inputs: SymbolicInput, args: CallArgs): SymbolicInput {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const shapes = list.map((t) => t.shape);
    const shapeArg = Array.isArray(inputs) ? shapes : shapes[0]!;
    this.ensureBuilt(shapeArg);
    const outShape = this.computeOutputShape(shapeArg);
    const outShapes = isShapeList(outShape) ? outShape : [outShape as SymbolicShape];
    const outputs = outShapes.map(
      (s, i) =>
        new SymbolicTensor(s, this.dtype, outShapes.length === 1 ? this.name : `${this.name}/${i}`),
    );
    const { training: _t, mask: _m, ...kwargs } = args;
    const call = { layer: this, inputs: list, outputs, kwargs };
    for (const o of outputs) o.producer = call;
    this.inboundCalls.push({ inputs: list, outputs });
    return isShapeList(outShape) ? outputs : outputs[0]!;
  }

  /** A readable error for an input of the wrong rank or size: names the layer and both shapes. */
  protected shapeError(expected: string, got: readonly (number | null)[]): Error {
    return new RangeError(
      `${(this.constructor as typeof Layer).className} '${this.name}': expected input ${expected}, got ${formatSymbolicShape(got)}`,
    );
  }
}

/**
 * Weight elements layers may still create. Infinite except while src/io rebuilds a model from an
 * untrusted file, where it bounds what a hostile config can make `build` allocate; while
 * `skipInitializers` is set (the file supplies every weight) weights start as zeros.
 */
export const weightBudget = { remaining: Number.POSITIVE_INFINITY, skipInitializers: false };

/** True when `s` is a list of shapes rather than one shape. */
export function isShapeList(
  s: SymbolicShape | SymbolicShape[] | readonly SymbolicShape[],
): s is SymbolicShape[] {
  return s.length > 0 && Array.isArray(s[0]);
}
