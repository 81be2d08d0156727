import { gelu } from '../../ops/index.js';
import { type TensorLike, toTensor } from '../../tensor/create.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor } from '../../tensor/tensor.js';
import type { ActivationFn } from '../activations/activations.js';
import {
  type ActivationIdentifier,
  registerActivation,
  serializeActivation,
} from '../activations/get-activation.js';
import { Layer, type LayerArgs, type WeightInitializer } from '../engine/layer.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { positiveInt } from './internal/args.js';
import { resolveActivation, resolveInitializer } from './internal/config.js';
import { LayerNormalization } from './layer-normalization.js';
import { MultiHeadAttention } from './multi-head-attention.js';

// GPT-2's GELU, the tanh approximation, by name (keras_hub passes gelu(x, approximate=True)).
registerActivation('geluApproximate', (x) => gelu(x, true), ['gelu_new']);

export interface TransformerArgs extends LayerArgs {
  /** Dropout after attention and after the feed-forward block, and on the attention weights. */
  dropout?: number;
  /**
   * Activation of the feed-forward block. keras_hub's default 'relu' is kept; GPT-style models
   * pass 'gelu' or 'geluApproximate' (GPT-2's tanh form).
   */
  activation?: ActivationIdentifier;
  layerNormEpsilon?: number;
  kernelInitializer?: InitializerIdentifier;
  biasInitializer?: InitializerIdentifier;
  /** Pre-norm (GPT-2): normalize before each sub-block instead of after the residual sum. */
  normalizeFirst?: boolean;
  /** Rotary position embeddings on queries and keys of self-attention. */
  useRotaryEmbedding?: boolean;
}

/**
 * What TransformerEncoder and TransformerDecoder share (keras_hub's blocks): the configuration,
 * the sublayer factories, the feed-forward block and the padding/attention mask merge.
 */
export abstract class BaseTransformer extends Layer {
  readonly intermediateDim: number;
  readonly numHeads: number;
  readonly dropout: number;
  readonly activation: ActivationFn;
  readonly layerNormEpsilon: number;
  readonly kernelInitializer: WeightInitializer;
  readonly biasInitializer: WeightInitializer;
  readonly normalizeFirst: boolean;
  readonly useRotaryEmbedding: boolean;

  constructor(className: string, intermediateDim: number, numHeads: number, args: TransformerArgs) {
    super(args);
    this.intermediateDim = positiveInt(className, 'intermediateDim', intermediateDim);
    this.numHeads = positiveInt(className, 'numHeads', numHeads);
    this.dropout = args.dropout ?? 0;
    if (!(this.dropout >= 0 && this.dropout < 1))
      throw new RangeError(`${className}: dropout must be in [0, 1), got ${this.dropout}`);
    this.activation = resolveActivation(className, args.activation ?? 'relu');
    this.layerNormEpsilon = args.layerNormEpsilon ?? 1e-5;
    this.kernelInitializer = resolveInitializer(
      className,
      'kernelInitializer',
      args.kernelInitializer,
      'glorotUniform',
    );
    this.biasInitializer = resolveInitializer(
      className,
      'biasInitializer',
      args.biasInitializer,
      'zeros',
    );
    this.normalizeFirst = args.normalizeFirst ?? false;
    this.useRotaryEmbedding = args.useRotaryEmbedding ?? false;
    this.supportsMasking = true;
  }

  /** The per-head size: hiddenDim / numHeads, which must divide evenly. */
  protected headDim(hiddenDim: number): number {
    if (hiddenDim % this.numHeads !== 0)
      throw new RangeError(
        `${(this.constructor as typeof Layer).className} '${this.name}': the hidden size ${hiddenDim} is not divisible by numHeads=${this.numHeads}`,
      );
    return hiddenDim / this.numHeads;
  }

  /**
   * A `MultiHeadAttention` sublayer named `<layer>/<suffix>`, optionally with rotary embeddings.
   */
  protected attention(suffix: string, hiddenDim: number, rotary: boolean): MultiHeadAttention {
    return new MultiHeadAttention(this.numHeads, this.headDim(hiddenDim), {
      name: `${this.name}/${suffix}`,
      dropout: this.dropout,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
      useRotaryEmbedding: rotary,
    });
  }

  /** A `LayerNormalization` sublayer named `<layer>/<suffix>` with the block's epsilon. */
  protected norm(suffix: string): LayerNormalization {
    return new LayerNormalization({
      name: `${this.name}/${suffix}`,
      epsilon: this.layerNormEpsilon,
    });
  }

  /** A `Dense` sublayer named `<layer>/<suffix>` with the block's initializers. */
  protected dense(suffix: string, units: number, activation?: ActivationFn): Dense {
    return new Dense(units, {
      name: `${this.name}/${suffix}`,
      activation,
      kernelInitializer: this.kernelInitializer,
      biasInitializer: this.biasInitializer,
    });
  }

  /** A `Dropout` sublayer named `<layer>/<suffix>` at the block's rate. */
  protected dropoutLayer(suffix: string): Dropout {
    return new Dropout(this.dropout, { name: `${this.name}/${suffix}` });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      intermediateDim: this.intermediateDim,
      numHeads: this.numHeads,
      dropout: this.dropout,
      activation: serializeActivation(this.activation),
      layerNormEpsilon: this.layerNormEpsilon,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      normalizeFirst: this.normalizeFirst,
      useRotaryEmbedding: this.useRotaryEmbedding,
    };
  }
}

/**
 * keras_hub's merge_padding_and_attention_mask: a padding mask [B, Tk] (true = a real token) and/or
 * an attention mask [B, Tq, Tk] combined into one [B, Tq, Tk] float 0/1 mask; null when neither.
 */
export function mergeMasks(
  who: string,
  padding: Tensor | null | undefined,
  attentionLike: TensorLike | null | undefined,
  batch: number,
  Tq: number,
  Tk: number,
): Tensor | null {
  const attention = attentionLike == null ? null : toTensor(attentionLike);
  if (!padding && !attention) return null;
  if (padding && (padding.rank !== 2 || padding.shape[0] !== batch || padding.shape[1] !== Tk))
    throw new RangeError(
      `${who}: padding mask must have shape [${batch}, ${Tk}], got ${formatShape(padding.shape)}`,
    );
  if (
    attention &&
    (attention.rank !== 3 ||
      attention.shape[0] !== batch ||
      attention.shape[1] !== Tq ||
      attention.shape[2] !== Tk)
  )
    throw new RangeError(
      `${who}: attention mask must have shape [${batch}, ${Tq}, ${Tk}], got ${formatShape(attention.shape)}`,
    );
  const out = new Float32Array(batch * Tq * Tk);
  for (let b = 0; b < batch; b++)
    for (let i = 0; i < Tq; i++)
      for (let j = 0; j < Tk; j++) {
        const p = padding ? padding.data[b * Tk + j] !== 0 : true;
        const a = attention ? attention.data[(b * Tq + i) * Tk + j] !== 0 : true;
        out[(b * Tq + i) * Tk + j] = p && a ? 1 : 0;
      }
  return new Tensor(out, [batch, Tq, Tk], 'float32');
}
