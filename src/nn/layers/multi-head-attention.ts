import {
  concat,
  dense,
  expandDims,
  reshape,
  scaledDotProductAttention,
  scaledDotProductAttentionWithScores,
  transpose,
} from '../../ops/index.js';
import { Rng } from '../../random/rng.js';
import { type TensorLike, toTensor } from '../../tensor/create.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import {
  type CallArgs,
  isShapeList,
  Layer,
  type LayerArgs,
  type LayerInput,
  type WeightInitializer,
  type WeightRegularizer,
} from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { builtWeight, layerLabel, positiveInt } from './internal/args.js';
import { regularizerConfig, resolveInitializer, resolveRegularizer } from './internal/config.js';
import { registerLayer } from './registry.js';
import { applyRotaryEmbedding } from './rotary-embedding.js';

/** Options of the `MultiHeadAttention` layer. */
export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Size of each value head (default keyDim). */
  valueDim?: number;
  /** Dropout rate on the attention weights, in training. */
  dropout?: number;
  useBias?: boolean;
  /** Size of the output's last axis (default: the query's). */
  outputShape?: number;
  /** Only the default (attention over the axis before the features, null) is supported. */
  attentionAxes?: null;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  kernelRegularizer?: RegularizerIdentifier | null;
  biasRegularizer?: RegularizerIdentifier | null;
  /** Apply rotary position embeddings (keras_hub RotaryEmbedding) to the projected queries and keys. */
  useRotaryEmbedding?: boolean;
  /** The RoPE base wavelength (default 10000). */
  rotaryMaxWavelength?: number;
  /** Seeds the attention-dropout generator. */
  seed?: number | null;
}

/** The projected keys [batch, heads, steps, keyDim] and values [batch, heads, steps, valueDim] seen so far. */
export interface AttentionCache {
  key: Tensor;
  value: Tensor;
}

/** Per-call options of `MultiHeadAttention`: the attention mask, causal masking, training. */
export interface AttentionCallOptions {
  /** [batch, Tq, Tk] (batch may be 1), true/1 where query i may attend to key j. */
  attentionMask?: TensorLike | null;
  /** Each query attends only to keys at its position or before (decoders). */
  useCausalMask?: boolean;
  training?: boolean;
}

/**
 * Keras's MultiHeadAttention. `mha.apply([query, value])` or `mha.apply([query, value, key])`
 * (key defaults to value; a single tensor means self-attention), with call arguments
 * `{attentionMask, useCausalMask, returnAttentionScores, training}`. Query [B, Tq, dq], value
 * [B, Tk, dv] and key [B, Tk, dk] may differ in length and width. Weights in Keras's layout and
 * order: query/key/value kernels [d, heads, keyDim (valueDim for value)] each followed by its bias
 * [heads, keyDim], then the output kernel [heads, valueDim, out] and bias [out].
 * With `returnAttentionScores` the result is [output, scores [B, heads, Tq, Tk]].
 * `callWithCache` runs incremental decoding with a key/value cache.
 */
export class MultiHeadAttention extends Layer {
  static override className = 'MultiHeadAttention';
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputShape: number | null;
  readonly kernelInitializer: WeightInitializer;
  readonly biasInitializer: WeightInitializer;
  readonly kernelRegularizer: WeightRegularizer | null;
  readonly biasRegularizer: WeightRegularizer | null;
  readonly useRotaryEmbedding: boolean;
  readonly rotaryMaxWavelength: number;
  readonly seed: number | null;
  queryKernel: Variable | null = null;
  queryBias: Variable | null = null;
  keyKernel: Variable | null = null;
  keyBias: Variable | null = null;
  valueKernel: Variable | null = null;
  valueBias: Variable | null = null;
  outputKernel: Variable | null = null;
  outputBias: Variable | null = null;
  private readonly rng: Rng | undefined;

  constructor(numHeads: number, keyDim: number, args: MultiHeadAttentionArgs = {}) {
    super(args);
    const cls = 'MultiHeadAttention';
    this.numHeads = positiveInt(cls, 'numHeads', numHeads);
    this.keyDim = positiveInt(cls, 'keyDim', keyDim);
    this.valueDim = positiveInt(cls, 'valueDim', args.valueDim ?? keyDim);
    this.dropout = args.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1))
      throw new RangeError(`${cls}: dropout must be in [0, 1), got ${this.dropout}`);
    this.useBias = args.useBias ?? true;
    this.outputShape =
      args.outputShape == null ? null : positiveInt(cls, 'outputShape', args.outputShape);
    if (args.attentionAxes != null)
      throw new RangeError(
        `${cls}: only the default attentionAxes (null: the axis before the features) is supported, got ${JSON.stringify(args.attentionAxes)}`,
      );
    this.kernelInitializer = resolveInitializer(
      cls,
      'kernelInitializer',
      args.kernelInitializer,
      'glorotUniform',
    );
    this.biasInitializer = resolveInitializer(
      cls,
      'biasInitializer',
      args.biasInitializer,
      'zeros',
    );
    this.kernelRegularizer = resolveRegularizer(cls, 'kernelRegularizer', args.kernelRegularizer);
    this.biasRegularizer = resolveRegularizer(cls, 'biasRegularizer', args.biasRegularizer);
    this.useRotaryEmbedding = args.useRotaryEmbedding ?? false;
    this.rotaryMaxWavelength = args.rotaryMaxWavelength ?? 10000;
    if (this.useRotaryEmbedding && this.keyDim % 2 !== 0)
      throw new RangeError(`${cls}: useRotaryEmbedding needs an even keyDim, got ${this.keyDim}`);
    this.seed = args.seed ?? null;
    this.rng = this.seed === null ? undefined : new Rng(this.seed);
  }

  override ownRandomGenerators(): Rng[] {
    return this.rng ? [this.rng] : [];
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const [q, v, k] = this.shapesOf(inputShape);
    const H = this.numHeads;
    const weight = (name: string, shape: number[], bias: boolean) =>
      this.addWeight(name, {
        shape,
        initializer: bias ? this.biasInitializer : this.kernelInitializer,
        regularizer: bias ? this.biasRegularizer : this.kernelRegularizer,
      });
    const dim = (s: SymbolicShape, what: string): number => {
      const d = s.at(-1);
      if (s.length !== 3 || d === null || d === undefined)
        throw this.shapeError(`${what} (batch, steps, features) with known features`, s);
      return d;
    };
    const dq = dim(q, 'query');
    const dv = dim(v, 'value');
    const dk = dim(k, 'key');
    this.queryKernel = weight('query/kernel', [dq, H, this.keyDim], false);
    if (this.useBias) this.queryBias = weight('query/bias', [H, this.keyDim], true);
    this.keyKernel = weight('key/kernel', [dk, H, this.keyDim], false);
    if (this.useBias) this.keyBias = weight('key/bias', [H, this.keyDim], true);
    this.valueKernel = weight('value/kernel', [dv, H, this.valueDim], false);
    if (this.useBias) this.valueBias = weight('value/bias', [H, this.valueDim], true);
    const out = this.outputShape ?? dq;
    this.outputKernel = weight('attention_output/kernel', [H, this.valueDim, out], false);
    if (this.useBias) this.outputBias = weight('attention_output/bias', [out], true);
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor | Tensor[] {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    if (list.length < 1 || list.length > 3)
      throw new TypeError(
        `${layerLabel(this)}: expects [query, value] or [query, value, key], got ${list.length} tensors`,
      );
    const query = list[0]!;
    const value = list[1] ?? query;
    const key = list[2] ?? value;
    const wantScores = !!args['returnAttentionScores'];
    const { output, scores } = this.attend(
      query,
      value,
      key,
      null,
      {
        attentionMask: (args['attentionMask'] as TensorLike | undefined) ?? null,
        useCausalMask: (args['useCausalMask'] as boolean | undefined) ?? false,
        training: args.training,
      },
      wantScores,
    );
    return wantScores ? [output, scores!] : output;
  }

  /**
   * Self-attention (or attention to `value`) that appends the new keys and values to `cache` and
   * attends to all of them: the step of incremental decoding. Returns the output and the new cache.
   * `let {output, cache} = mha.callWithCache(x, null, {useCausalMask: true})`
   */
  callWithCache(
    query: Tensor,
    cache: AttentionCache | null,
    options: AttentionCallOptions & { value?: Tensor } = {},
  ): { output: Tensor; cache: AttentionCache } {
    const value = options.value ?? query;
    const shapes = [query.shape, value.shape, value.shape] as SymbolicShape[];
    this.ensureBuilt(shapes);
    const { output, newCache } = this.attend(query, value, value, cache, options);
    return { output, cache: newCache };
  }

  private attend(
    query: Tensor,
    value: Tensor,
    key: Tensor,
    cache: AttentionCache | null,
    options: AttentionCallOptions,
    wantScores = false,
  ): { output: Tensor; scores: Tensor | null; newCache: AttentionCache } {
    this.checkInputs(query, value, key);
    const past = cache ? this.checkCache(cache, query.shape[0]!) : 0;
    const rope = (x: Tensor) =>
      this.useRotaryEmbedding
        ? applyRotaryEmbedding(x, { maxWavelength: this.rotaryMaxWavelength, startIndex: past })
        : x;
    const qp = rope(this.project(query, this.queryKernel, this.queryBias));
    const kp = rope(this.project(key, this.keyKernel, this.keyBias));
    const vp = this.project(value, this.valueKernel, this.valueBias);
    const Tq = query.shape[1]!;
    const Tk = past + key.shape[1]!;
    const mask = this.checkMask(options.attentionMask ?? null, query.shape[0]!, Tq, Tk);
    const attentionOptions = {
      mask: mask && expandDims(mask, 1),
      causal: options.useCausalMask ?? false,
      dropout: options.training ? this.dropout : 0,
      rng: this.rng,
    };
    // [B, T, H, d] -> [B, H, T, d], the cache's layout (built only when read without a cache).
    const heads = (x: Tensor) => transpose(x, [0, 2, 1, 3]);
    let output: Tensor;
    let scores: Tensor | null = null;
    let newCache: AttentionCache;
    if (cache) {
      const k = concat([cache.key, heads(kp)], 2);
      const v = concat([cache.value, heads(vp)], 2);
      const r = scaledDotProductAttentionWithScores(heads(qp), k, v, attentionOptions);
      output = transpose(r.output, [0, 2, 1, 3]);
      scores = r.scores;
      newCache = { key: k, value: v };
    } else {
      // The projections' own layout [B, T, H, d]: no transposes around the fused kernel.
      const opts = { ...attentionOptions, layout: 'BTHD' as const };
      if (wantScores || attentionOptions.dropout > 0) {
        const r = scaledDotProductAttentionWithScores(qp, kp, vp, opts);
        output = r.output;
        scores = r.scores;
      } else {
        output = scaledDotProductAttention(qp, kp, vp, opts);
      }
      newCache = lazyCache(
        () => heads(kp),
        () => heads(vp),
      );
    }
    const [B, H] = [query.shape[0]!, this.numHeads];
    const merged = reshape(output, [B, Tq, H * this.valueDim]);
    const wo = builtWeight(this, this.outputKernel);
    const out = dense(
      merged,
      reshape(wo, [H * this.valueDim, wo.shape[2]!]),
      this.outputBias ?? undefined,
    );
    return { output: out, scores, newCache };
  }

  /** x [B, T, d] @ kernel [d, H, e] + bias [H, e] -> [B, T, H, e]. */
  private project(x: Tensor, kernelV: Variable | null, bias: Variable | null): Tensor {
    const kernel = builtWeight(this, kernelV);
    const [d, H, e] = kernel.shape as [number, number, number];
    const y = dense(x, reshape(kernel, [d, H * e]), bias ? reshape(bias, [H * e]) : undefined);
    return reshape(y, [x.shape[0]!, x.shape[1]!, H, e]);
  }

  private shapesOf(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape[] {
    const list = isShapeList(inputShape) ? inputShape : [inputShape as SymbolicShape];
    if (list.length < 1 || list.length > 3)
      throw new TypeError(
        `${layerLabel(this)}: expects [query, value] or [query, value, key], got ${list.length} inputs`,
      );
    const q = list[0]!;
    const v = list[1] ?? q;
    return [q, v, list[2] ?? v];
  }

  private checkInputs(query: Tensor, value: Tensor, key: Tensor): void {
    // Only an error formats the shapes (this runs in every decoding step).
    const all = () =>
      `query ${formatShape(query.shape)}, value ${formatShape(value.shape)}, key ${formatShape(key.shape)}`;
    if (query.rank !== 3 || value.rank !== 3 || key.rank !== 3)
      throw new RangeError(
        `${layerLabel(this)}: expected rank-3 inputs (batch, steps, features); got ${all()}`,
      );
    if (value.shape[0] !== query.shape[0] || key.shape[0] !== query.shape[0])
      throw new RangeError(
        `${layerLabel(this)}: query, value and key must have the same batch size; got ${all()}`,
      );
    if (key.shape[1] !== value.shape[1])
      throw new RangeError(
        `${layerLabel(this)}: key and value must have the same number of steps; got ${all()}`,
      );
    const want = [this.queryKernel, this.valueKernel, this.keyKernel].map((w) => w?.shape[0]);
    [query, value, key].forEach((t, i) => {
      if (want[i] !== undefined && t.shape[2] !== want[i])
        throw new RangeError(
          `${layerLabel(this)}: ${['query', 'value', 'key'][i]} must have ${want[i]} features (the layer was built for them); got ${all()}`,
        );
    });
  }

  private checkCache(cache: AttentionCache, batch: number): number {
    const { key, value } = cache;
    const ok =
      key.rank === 4 &&
      value.rank === 4 &&
      key.shape[0] === batch &&
      value.shape[0] === batch &&
      key.shape[1] === this.numHeads &&
      value.shape[1] === this.numHeads &&
      key.shape[2] === value.shape[2] &&
      key.shape[3] === this.keyDim &&
      value.shape[3] === this.valueDim;
    if (!ok)
      throw new RangeError(
        `${layerLabel(this)}: cache must hold key [${batch}, ${this.numHeads}, steps, ${this.keyDim}] and value [${batch}, ${this.numHeads}, steps, ${this.valueDim}], got key ${formatShape(key.shape)} and value ${formatShape(value.shape)}`,
      );
    return key.shape[2]!;
  }

  private checkMask(
    maskLike: TensorLike | null,
    batch: number,
    Tq: number,
    Tk: number,
  ): Tensor | null {
    if (maskLike === null) return null;
    const mask = toTensor(maskLike);
    if (
      mask.rank !== 3 ||
      (mask.shape[0] !== batch && mask.shape[0] !== 1) ||
      mask.shape[1] !== Tq ||
      mask.shape[2] !== Tk
    )
      throw new RangeError(
        `${layerLabel(this)}: attentionMask must have shape [${batch}, ${Tq}, ${Tk}] (batch, query steps, key steps), got ${formatShape(mask.shape)}`,
      );
    return mask;
  }

  override computeOutputShape(
    inputShape: SymbolicShape | SymbolicShape[],
  ): SymbolicShape | SymbolicShape[] {
    const [q, v] = this.shapesOf(inputShape);
    const out: SymbolicShape = [q[0]!, q[1]!, this.outputShape ?? q.at(-1)!];
    if (!this.pendingArgs['returnAttentionScores']) return out;
    return [out, [q[0]!, this.numHeads, q[1]!, v[1]!]];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numHeads: this.numHeads,
      keyDim: this.keyDim,
      valueDim: this.valueDim,
      dropout: this.dropout,
      useBias: this.useBias,
      outputShape: this.outputShape,
      attentionAxes: null,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: regularizerConfig(this.kernelRegularizer),
      biasRegularizer: regularizerConfig(this.biasRegularizer),
      useRotaryEmbedding: this.useRotaryEmbedding,
      rotaryMaxWavelength: this.rotaryMaxWavelength,
      seed: this.seed,
    };
  }

  /**
   * Rebuilds a `MultiHeadAttention` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): MultiHeadAttention {
    const { numHeads, keyDim, ...args } = config;
    return new MultiHeadAttention(
      numHeads as number,
      keyDim as number,
      args as MultiHeadAttentionArgs,
    );
  }
}

/** A cache whose [B, H, T, d] tensors are made on first read (training never reads them). */
function lazyCache(key: () => Tensor, value: () => Tensor): AttentionCache {
  let k: Tensor | null = null;
  let v: Tensor | null = null;
  return {
    get key() {
      k ??= key();
      return k;
    },
    get value() {
      v ??= value();
      return v;
    },
  };
}

registerLayer(MultiHeadAttention);
