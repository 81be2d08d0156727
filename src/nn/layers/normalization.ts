import { noGrad } from '../../autograd/tape.js';
import { add, cast, div, maximum, mul, reshape, sqrt, sub } from '../../ops/index.js';
import { type TensorLike, tensor, toTensor } from '../../tensor/create.js';
import { Tensor, type Variable } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../engine/symbolic-tensor.js';
import { builtWeight, layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `Normalization` layer. */
export interface NormalizationArgs extends LayerArgs {
  /** The axes that keep their own statistics (-1: one mean per feature); null: one for everything. */
  axis?: number | readonly number[] | null;
  /** Fixed statistics instead of `adapt` (both or neither); numbers broadcast. */
  mean?: number | readonly number[] | null;
  variance?: number | readonly number[] | null;
  /** Undo the normalization instead: y = mean + x · sqrt(variance). */
  invert?: boolean;
}

/** Keras's backend epsilon: the smallest standard deviation divided by. */
const EPSILON = 1e-7;

/**
 * Feature-wise standardization: y = (x - mean) / max(sqrt(variance), 1e-7), with the statistics
 * given or learned by `adapt(data)` (weights mean, variance and count, non-trainable, as Keras).
 * `const norm = new Normalization(); norm.adapt(xTrain);`
 */
export class Normalization extends Layer {
  static override className = 'Normalization';
  readonly axis: number[];
  readonly invert: boolean;
  readonly inputMean: number | number[] | null;
  readonly inputVariance: number | number[] | null;
  mean: Variable | null = null;
  variance: Variable | null = null;
  count: Variable | null = null;
  /** `[size or 1 per input axis]`: the statistics' shape against the input. */
  private broadcastShape: number[] | null = null;
  private keepAxes: number[] = [];

  constructor(args: NormalizationArgs = {}) {
    const { axis = -1, mean = null, variance = null, invert = false, ...rest } = args;
    super(rest);
    const axes = axis === null ? [] : typeof axis === 'number' ? [axis] : [...axis];
    if (axes.some((a) => !Number.isInteger(a)))
      throw new RangeError(
        `Normalization: axis must be an integer, a list of them or null, got ${JSON.stringify(axis)}`,
      );
    this.axis = axes;
    if ((mean === null) !== (variance === null))
      throw new RangeError('Normalization: give both mean and variance, or neither (then adapt)');
    const stat = (name: string, v: unknown): number | number[] | null => {
      const ok = (n: unknown) => typeof n === 'number' && Number.isFinite(n);
      if (v === null || ok(v)) return v as number | null;
      if (Array.isArray(v) && v.flat(Infinity).every(ok)) return v.flat(Infinity) as number[];
      throw new RangeError(
        `Normalization: ${name} must be a number or a list of numbers, got ${JSON.stringify(v)}`,
      );
    };
    this.inputMean = stat('mean', mean);
    this.inputVariance = stat('variance', variance);
    this.invert = invert;
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shape = singleShape(this, inputShape);
    const rank = shape.length;
    const keep = this.axis.map((a) => (a < 0 ? a + rank : a));
    if (keep.some((a) => a < 0 || a >= rank))
      throw new RangeError(
        `${layerLabel(this)}: axis ${JSON.stringify(this.axis)} is out of range for input ${formatSymbolicShape(shape)}`,
      );
    if (keep.some((a) => shape[a] === null))
      throw new RangeError(
        `${layerLabel(this)}: the kept axes ${JSON.stringify(this.axis)} must have known sizes, input ${formatSymbolicShape(shape)}`,
      );
    this.keepAxes = [...new Set(keep)].sort((a, b) => a - b);
    this.broadcastShape = shape.map((d, i) => (this.keepAxes.includes(i) ? (d as number) : 1));
    const statShape = this.keepAxes.map((a) => shape[a] as number);
    if (this.inputMean === null) {
      this.mean = this.addWeight('mean', { shape: statShape, trainable: false });
      this.variance = this.addWeight('variance', {
        shape: statShape,
        trainable: false,
        initializer: () =>
          tensor(new Float32Array(statShape.reduce((n, d) => n * d, 1)).fill(1), statShape),
      });
      this.count = this.addWeight('count', { shape: [], dtype: 'int32', trainable: false });
    } else {
      const size = statShape.reduce((n, d) => n * d, 1);
      for (const [name, v] of [
        ['mean', this.inputMean],
        ['variance', this.inputVariance],
      ] as const)
        if (Array.isArray(v) && v.length !== size && v.length !== 1)
          throw new RangeError(
            `${layerLabel(this)}: ${name} has ${v.length} values, the kept axes of input ${formatSymbolicShape(shape)} hold ${size}`,
          );
    }
    this.built = true;
  }

  /** Mean and variance in the broadcast shape (from the weights, or the constants given). */
  private statistics(): [Tensor, Tensor] {
    const shape = builtWeight(this, this.broadcastShape);
    const as = (v: Tensor | number | number[] | null) => {
      const t = typeof v === 'number' ? tensor([v]) : Array.isArray(v) ? tensor(v) : (v as Tensor);
      return t.size === 1
        ? reshape(
            t,
            shape.map(() => 1),
          )
        : reshape(t, shape);
    };
    if (this.mean) return [as(this.mean), as(this.variance)];
    return [as(this.inputMean), as(this.inputVariance)];
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    let x = singleInput(this, inputs);
    if (x.dtype !== 'float32') x = cast(x, 'float32');
    const shape = builtWeight(this, this.broadcastShape);
    if (x.rank !== shape.length || shape.some((d, i) => d !== 1 && x.shape[i] !== d))
      throw this.shapeError(formatSymbolicShape(shape.map((d) => (d === 1 ? null : d))), x.shape);
    const [m, v] = this.statistics();
    const std = maximum(sqrt(v), EPSILON);
    return this.invert ? add(m, mul(x, std)) : div(sub(x, m), std);
  }

  /**
   * Learns mean and variance from data: a tensor (or nested array) of samples, or an iterable of
   * batches (an async iterable returns a promise). Statistics are merged batch by batch in float64
   * (Chan et al.), so any batching gives the same result.
   */
  adapt(data: TensorLike | Iterable<TensorLike> | AsyncIterable<TensorLike>): void | Promise<void> {
    if (this.inputMean !== null)
      throw new Error(
        `${layerLabel(this)}: adapt() needs a layer built without a fixed mean and variance`,
      );
    const acc = { n: 0, mean: null as Float64Array | null, m2: null as Float64Array | null };
    if (typeof data === 'object' && data !== null && Symbol.asyncIterator in data) {
      return (async () => {
        for await (const batch of data as AsyncIterable<TensorLike>)
          this.accumulate(acc, toTensor(batch));
        this.finishAdapt(acc);
      })();
    }
    // A list of tensors, or any other iterable that is not an array or a tensor, holds batches.
    const isBatches = Array.isArray(data)
      ? data.length > 0 && data.every((d) => d instanceof Tensor)
      : typeof data === 'object' &&
        data !== null &&
        !(data instanceof Tensor) &&
        Symbol.iterator in data;
    const batches = isBatches ? (data as Iterable<TensorLike>) : [data as TensorLike];
    for (const batch of batches) this.accumulate(acc, toTensor(batch));
    this.finishAdapt(acc);
  }

  private accumulate(
    acc: { n: number; mean: Float64Array | null; m2: Float64Array | null },
    x: Tensor,
  ): void {
    this.ensureBuilt([null, ...x.shape.slice(1)]);
    const shape = this.broadcastShape!;
    if (x.rank !== shape.length || shape.some((d, i) => d !== 1 && x.shape[i] !== d))
      throw this.shapeError(formatSymbolicShape(shape.map((d) => (d === 1 ? null : d))), x.shape);
    const size = shape.reduce((n, d) => n * d, 1);
    const per = x.size / size;
    if (per === 0) return;
    // Per statistic slot: this batch's count, mean and sum of squared deviations (two passes).
    const slot = new Int32Array(x.size);
    const strides = x.shape.map((_, i) => x.shape.slice(i + 1).reduce((n, d) => n * d, 1));
    for (let i = 0; i < x.size; i++) {
      let s = 0;
      for (const a of this.keepAxes)
        s = s * shape[a]! + (Math.floor(i / strides[a]!) % x.shape[a]!);
      slot[i] = s;
    }
    const mean = new Float64Array(size);
    const m2 = new Float64Array(size);
    for (let i = 0; i < x.size; i++) mean[slot[i]!]! += x.data[i]!;
    for (let s = 0; s < size; s++) mean[s]! /= per;
    for (let i = 0; i < x.size; i++) m2[slot[i]!]! += (x.data[i]! - mean[slot[i]!]!) ** 2;
    if (!acc.mean || !acc.m2) {
      Object.assign(acc, { n: per, mean, m2 });
      return;
    }
    const n = acc.n + per;
    for (let s = 0; s < size; s++) {
      const delta = mean[s]! - acc.mean[s]!;
      acc.mean[s]! += (delta * per) / n;
      acc.m2[s]! += m2[s]! + (delta * delta * acc.n * per) / n;
    }
    acc.n = n;
  }

  private finishAdapt(acc: {
    n: number;
    mean: Float64Array | null;
    m2: Float64Array | null;
  }): void {
    if (!acc.mean || !acc.m2) throw new Error(`${layerLabel(this)}: adapt() got no data`);
    const m = builtWeight(this, this.mean);
    const v = builtWeight(this, this.variance);
    noGrad(() => {
      m.assign(tensor(Float32Array.from(acc.mean!), m.shape));
      v.assign(
        tensor(
          Float32Array.from(acc.m2!, (s) => s / acc.n),
          v.shape,
        ),
      );
      builtWeight(this, this.count).assign(
        tensor(Int32Array.of(Math.min(acc.n, 2 ** 31 - 1)), [], 'int32'),
      );
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      axis: this.axis,
      invert: this.invert,
      mean: this.inputMean,
      variance: this.inputVariance,
    };
  }

  /** Rebuilds a `Normalization` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Normalization {
    return new Normalization(config as NormalizationArgs);
  }
}

registerLayer(Normalization);
