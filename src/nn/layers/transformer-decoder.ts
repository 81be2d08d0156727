import { add } from '../../ops/index.js';
import type { TensorLike } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, isShapeList, type Layer, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { BaseTransformer, mergeMasks, type TransformerArgs } from './base-transformer.js';
import type { Dense } from './dense.js';
import type { Dropout } from './dropout.js';
import { layerLabel } from './internal/args.js';
import type { LayerNormalization } from './layer-normalization.js';
import type { AttentionCache, MultiHeadAttention } from './multi-head-attention.js';
import { registerLayer } from './registry.js';

/** Per-call options of `TransformerDecoder`: masks, the encoder sequence, training, cache. */
export interface DecoderCallOptions {
  training?: boolean;
  /** [B, T] true for real tokens (also taken from the Keras mask of the input). */
  decoderPaddingMask?: Tensor | null;
  /** [B, T, T], combined with the causal mask. */
  decoderAttentionMask?: TensorLike | null;
  encoderPaddingMask?: Tensor | null;
  encoderAttentionMask?: TensorLike | null;
  /** Default true: a decoder's self-attention sees only the past. */
  useCausalMask?: boolean;
}

/**
 * keras_hub's TransformerDecoder: causal self-attention, optional cross-attention to an encoder
 * sequence (`apply([decoderSequence, encoderSequence])`, decided when built), and a feed-forward
 * block, each with a residual connection and layer normalization (after the sum, or before the
 * sub-block with `normalizeFirst`, as in GPT-2). Sublayers in keras_hub's order: self_attention,
 * self_attention_layer_norm, [cross_attention, cross_attention_layer_norm],
 * feedforward_intermediate_dense, feedforward_output_dense, feedforward_layer_norm.
 * `callWithCache` decodes incrementally with a self-attention key/value cache.
 * `new TransformerDecoder(512, 4, {activation: 'gelu', normalizeFirst: true})`
 */
export class TransformerDecoder extends BaseTransformer {
  static override className = 'TransformerDecoder';
  selfAttention: MultiHeadAttention | null = null;
  selfAttentionNorm: LayerNormalization | null = null;
  crossAttention: MultiHeadAttention | null = null;
  crossAttentionNorm: LayerNormalization | null = null;
  intermediateDense: Dense | null = null;
  outputDense: Dense | null = null;
  feedforwardNorm: LayerNormalization | null = null;
  private dropoutLayers: Dropout[] = [];

  constructor(intermediateDim: number, numHeads: number, args: TransformerArgs = {}) {
    super('TransformerDecoder', intermediateDim, numHeads, args);
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const shapes = isShapeList(inputShape) ? inputShape : [inputShape as SymbolicShape];
    if (shapes.length > 2)
      throw new TypeError(
        `${layerLabel(this)}: expects a decoder sequence and optionally an encoder sequence, got ${shapes.length} inputs`,
      );
    const x = shapes[0]!;
    const hidden = x.at(-1);
    if (x.length !== 3 || hidden === null || hidden === undefined)
      throw this.shapeError('(batch, steps, hidden) with a known hidden size', x);
    this.selfAttention = this.attention('self_attention', hidden, this.useRotaryEmbedding);
    this.selfAttention.ensureBuilt([x, x]);
    this.selfAttentionNorm = this.norm('self_attention_layer_norm');
    this.selfAttentionNorm.ensureBuilt(x);
    if (shapes.length === 2) {
      this.crossAttention = this.attention('cross_attention', hidden, false);
      this.crossAttention.ensureBuilt([x, shapes[1]!]);
      this.crossAttentionNorm = this.norm('cross_attention_layer_norm');
      this.crossAttentionNorm.ensureBuilt(x);
    }
    this.intermediateDense = this.dense(
      'feedforward_intermediate_dense',
      this.intermediateDim,
      this.activation,
    );
    this.intermediateDense.ensureBuilt(x);
    this.outputDense = this.dense('feedforward_output_dense', hidden);
    this.outputDense.ensureBuilt([x[0]!, x[1]!, this.intermediateDim]);
    this.feedforwardNorm = this.norm('feedforward_layer_norm');
    this.feedforwardNorm.ensureBuilt(x);
    this.dropoutLayers = [
      'self_attention_dropout',
      'cross_attention_dropout',
      'feedforward_dropout',
    ].map((s) => this.dropoutLayer(s));
    this.built = true;
  }

  override get sublayers(): Layer[] {
    return [
      this.selfAttention,
      this.selfAttentionNorm,
      this.crossAttention,
      this.crossAttentionNorm,
      this.intermediateDense,
      this.outputDense,
      this.feedforwardNorm,
    ].filter((l): l is NonNullable<typeof l> => l !== null);
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const [x, encoder] = list as [Tensor, Tensor | undefined];
    if (encoder && !this.crossAttention)
      throw new TypeError(
        `${layerLabel(this)}: was built without cross-attention; it cannot take an encoder sequence now`,
      );
    if (!encoder && this.crossAttention)
      throw new TypeError(
        `${layerLabel(this)}: was built with cross-attention; pass [decoderSequence, encoderSequence]`,
      );
    return this.forward(x, encoder ?? null, null, {
      training: args.training,
      decoderPaddingMask: (args['decoderPaddingMask'] as Tensor | undefined) ?? args.mask ?? null,
      decoderAttentionMask: args['decoderAttentionMask'] as TensorLike | undefined,
      encoderPaddingMask: args['encoderPaddingMask'] as Tensor | undefined,
      encoderAttentionMask: args['encoderAttentionMask'] as TensorLike | undefined,
      useCausalMask: (args['useCausalMask'] as boolean | undefined) ?? true,
    }).output;
  }

  /**
   * One decoding step: x [B, Tnew, hidden] attends to the cached steps and itself; returns the
   * output and the cache with x's keys and values appended. `encoder` is for cross-attention.
   */
  callWithCache(
    x: Tensor,
    cache: AttentionCache | null,
    options: DecoderCallOptions & { encoder?: Tensor } = {},
  ): { output: Tensor; cache: AttentionCache } {
    this.ensureBuilt(options.encoder ? [x.shape, options.encoder.shape] : x.shape);
    const r = this.forward(x, options.encoder ?? null, cache, options);
    return { output: r.output, cache: r.cache! };
  }

  private forward(
    x: Tensor,
    encoder: Tensor | null,
    cache: AttentionCache | null,
    o: DecoderCallOptions,
  ): { output: Tensor; cache: AttentionCache | null } {
    const hidden = this.selfAttentionNorm!.gamma!.shape[0]!;
    if (x.rank !== 3 || x.shape[2] !== hidden)
      throw this.shapeError(`(batch, steps, ${hidden})`, x.shape);
    const training = o.training ?? false;
    const [B, T] = [x.shape[0]!, x.shape[1]!];
    const past = cache ? cache.key.shape[2]! : 0;
    const who = layerLabel(this);
    const selfMask = mergeMasks(who, o.decoderPaddingMask, o.decoderAttentionMask, B, T, past + T);
    const pre = (norm: LayerNormalization, h: Tensor) => (this.normalizeFirst ? norm.apply(h) : h);
    const post = (norm: LayerNormalization, h: Tensor) => (this.normalizeFirst ? h : norm.apply(h));
    const [dropSelf, dropCross, dropFF] = this.dropoutLayers as [Dropout, Dropout, Dropout];

    let h = pre(this.selfAttentionNorm!, x);
    const attended = this.selfAttention!.callWithCache(h, cache, {
      attentionMask: selfMask,
      useCausalMask: o.useCausalMask ?? true,
      training,
    });
    let out = post(this.selfAttentionNorm!, add(dropSelf.apply(attended.output, { training }), x));

    if (this.crossAttention && encoder) {
      const crossMask = mergeMasks(
        who,
        o.encoderPaddingMask,
        o.encoderAttentionMask,
        B,
        T,
        encoder.shape[1]!,
      );
      h = pre(this.crossAttentionNorm!, out);
      const c = this.crossAttention.apply([h, encoder], {
        attentionMask: crossMask,
        training,
      }) as Tensor;
      out = post(this.crossAttentionNorm!, add(dropCross.apply(c, { training }), out));
    }

    h = pre(this.feedforwardNorm!, out);
    h = this.outputDense!.apply(this.intermediateDense!.apply(h));
    out = post(this.feedforwardNorm!, add(dropFF.apply(h, { training }), out));
    return { output: out, cache: attended.cache };
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const x = isShapeList(inputShape) ? inputShape[0]! : (inputShape as SymbolicShape);
    return [...x];
  }

  /**
   * Rebuilds a `TransformerDecoder` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): TransformerDecoder {
    const { intermediateDim, numHeads, ...args } = config;
    return new TransformerDecoder(
      intermediateDim as number,
      numHeads as number,
      args as TransformerArgs,
    );
  }
}

registerLayer(TransformerDecoder);
