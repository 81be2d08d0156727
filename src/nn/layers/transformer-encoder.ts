import { add } from '../../ops/index.js';
import type { TensorLike } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, Layer, LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { BaseTransformer, mergeMasks, type TransformerArgs } from './base-transformer.js';
import type { Dense } from './dense.js';
import type { Dropout } from './dropout.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import type { LayerNormalization } from './layer-normalization.js';
import type { MultiHeadAttention } from './multi-head-attention.js';
import { registerLayer } from './registry.js';

/**
 * keras_hub's TransformerEncoder: bidirectional self-attention and a feed-forward block, each
 * with a residual connection and layer normalization (post-norm, or pre-norm with
 * `normalizeFirst`). Call arguments `{paddingMask [B, T], attentionMask [B, T, T], training}`; the
 * Keras mask of the input is used as the padding mask. Sublayers in keras_hub's order:
 * self_attention, self_attention_layer_norm, feedforward_layer_norm,
 * feedforward_intermediate_dense, feedforward_output_dense.
 * `new TransformerEncoder(256, 4)`
 */
export class TransformerEncoder extends BaseTransformer {
  static override className = 'TransformerEncoder';
  selfAttention: MultiHeadAttention | null = null;
  selfAttentionNorm: LayerNormalization | null = null;
  feedforwardNorm: LayerNormalization | null = null;
  intermediateDense: Dense | null = null;
  outputDense: Dense | null = null;
  private dropoutLayers: Dropout[] = [];

  constructor(intermediateDim: number, numHeads: number, args: TransformerArgs = {}) {
    super('TransformerEncoder', intermediateDim, numHeads, args);
  }

  override build(inputShape: SymbolicShape | SymbolicShape[]): void {
    const x = singleShape(this, inputShape);
    const hidden = x.at(-1);
    if (x.length !== 3 || hidden === null || hidden === undefined)
      throw this.shapeError('(batch, steps, hidden) with a known hidden size', x);
    this.selfAttention = this.attention('self_attention', hidden, this.useRotaryEmbedding);
    this.selfAttention.ensureBuilt([x, x]);
    this.selfAttentionNorm = this.norm('self_attention_layer_norm');
    this.selfAttentionNorm.ensureBuilt(x);
    this.feedforwardNorm = this.norm('feedforward_layer_norm');
    this.feedforwardNorm.ensureBuilt(x);
    this.intermediateDense = this.dense(
      'feedforward_intermediate_dense',
      this.intermediateDim,
      this.activation,
    );
    this.intermediateDense.ensureBuilt(x);
    this.outputDense = this.dense('feedforward_output_dense', hidden);
    this.outputDense.ensureBuilt([x[0]!, x[1]!, this.intermediateDim]);
    this.dropoutLayers = ['self_attention_dropout', 'feedforward_dropout'].map((s) =>
      this.dropoutLayer(s),
    );
    this.built = true;
  }

  override get sublayers(): Layer[] {
    return [
      this.selfAttention,
      this.selfAttentionNorm,
      this.feedforwardNorm,
      this.intermediateDense,
      this.outputDense,
    ].filter((l): l is NonNullable<typeof l> => l !== null);
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const hidden = this.selfAttentionNorm!.gamma!.shape[0]!;
    if (x.rank !== 3 || x.shape[2] !== hidden)
      throw this.shapeError(`(batch, steps, ${hidden})`, x.shape);
    const training = args.training ?? false;
    const [B, T] = [x.shape[0]!, x.shape[1]!];
    const mask = mergeMasks(
      layerLabel(this),
      (args['paddingMask'] as Tensor | undefined) ?? args.mask ?? null,
      args['attentionMask'] as TensorLike | undefined,
      B,
      T,
      T,
    );
    const [dropSelf, dropFF] = this.dropoutLayers as [Dropout, Dropout];
    const pre = (norm: LayerNormalization, h: Tensor) => (this.normalizeFirst ? norm.apply(h) : h);
    const post = (norm: LayerNormalization, h: Tensor) => (this.normalizeFirst ? h : norm.apply(h));
    let h = pre(this.selfAttentionNorm!, x);
    h = this.selfAttention!.apply([h, h], { attentionMask: mask, training }) as Tensor;
    let out = post(this.selfAttentionNorm!, add(dropSelf.apply(h, { training }), x));
    h = pre(this.feedforwardNorm!, out);
    h = this.outputDense!.apply(this.intermediateDense!.apply(h));
    out = post(this.feedforwardNorm!, add(dropFF.apply(h, { training }), out));
    return out;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return [...singleShape(this, inputShape)];
  }

  /**
   * Rebuilds a `TransformerEncoder` from the config its `getConfig()` returns (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): TransformerEncoder {
    const { intermediateDim, numHeads, ...args } = config;
    return new TransformerEncoder(
      intermediateDim as number,
      numHeads as number,
      args as TransformerArgs,
    );
  }
}

registerLayer(TransformerEncoder);
