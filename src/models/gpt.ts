import type { ActivationIdentifier } from '../nn/activations/get-activation.js';
import type { CallArgs, LayerInput } from '../nn/engine/layer.js';
import type { SymbolicShape } from '../nn/engine/symbolic-tensor.js';
import { Dropout } from '../nn/layers/dropout.js';
import { layerLabel, positiveInt, singleInput } from '../nn/layers/internal/args.js';
import { LayerNormalization } from '../nn/layers/layer-normalization.js';
import type { AttentionCache } from '../nn/layers/multi-head-attention.js';
import { registerLayer } from '../nn/layers/registry.js';
import { TokenAndPositionEmbedding } from '../nn/layers/token-and-position-embedding.js';
import { TransformerDecoder } from '../nn/layers/transformer-decoder.js';
import type { Tensor } from '../tensor/tensor.js';
import { Model } from './model.js';

/** Options of `GPT`: vocabulary, context length and the transformer's sizes. */
export interface GPTArgs {
  vocabularySize: number;
  /** The context length: the size of the learned position table. */
  sequenceLength: number;
  numLayers: number;
  numHeads: number;
  /** The embedding (model) width. */
  hiddenDim: number;
  /** Width of each feed-forward block (default 4 · hiddenDim). */
  intermediateDim?: number;
  dropout?: number;
  layerNormEpsilon?: number;
  /** Feed-forward activation (default GPT-2's 'geluApproximate', the tanh form). */
  activation?: ActivationIdentifier;
  name?: string;
}

/**
 * A GPT-2-architecture decoder-only language model, written as a subclassed Model: token + learned
 * position embeddings, `numLayers` pre-norm causal TransformerDecoder blocks, a final layer norm,
 * and the output projection tied to the token embeddings. tokens [B, T] -> logits [B, T, vocab].
 * `callWithCache` runs incremental decoding (see `generate`).
 * `const gpt = new GPT({vocabularySize: 65, sequenceLength: 64, numLayers: 4, numHeads: 4, hiddenDim: 128})`
 */
export class GPT extends Model {
  static override className = 'GPT';
  readonly config: Required<Omit<GPTArgs, 'name' | 'activation'>> & {
    activation: ActivationIdentifier;
  };
  readonly embedding: TokenAndPositionEmbedding;
  readonly embeddingDropout: Dropout;
  readonly blocks: TransformerDecoder[];
  readonly finalNorm: LayerNormalization;

  constructor(args: GPTArgs) {
    super({ name: args.name });
    const cls = 'GPT';
    const hidden = positiveInt(cls, 'hiddenDim', args.hiddenDim);
    const numHeads = positiveInt(cls, 'numHeads', args.numHeads);
    if (hidden % numHeads !== 0)
      throw new RangeError(`GPT: hiddenDim=${hidden} must be divisible by numHeads=${numHeads}`);
    this.config = {
      vocabularySize: positiveInt(cls, 'vocabularySize', args.vocabularySize),
      sequenceLength: positiveInt(cls, 'sequenceLength', args.sequenceLength),
      numLayers: positiveInt(cls, 'numLayers', args.numLayers),
      numHeads,
      hiddenDim: hidden,
      intermediateDim: positiveInt(cls, 'intermediateDim', args.intermediateDim ?? 4 * hidden),
      dropout: args.dropout ?? 0,
      layerNormEpsilon: args.layerNormEpsilon ?? 1e-5,
      activation: args.activation ?? 'geluApproximate',
    };
    const c = this.config;
    this.embedding = new TokenAndPositionEmbedding(c.vocabularySize, c.sequenceLength, hidden, {
      name: `${this.name}/embedding`,
      embeddingsInitializer: { className: 'RandomNormal', config: { stddev: 0.02 } },
      positionInitializer: { className: 'RandomNormal', config: { stddev: 0.02 } },
    });
    this.embeddingDropout = new Dropout(c.dropout, { name: `${this.name}/embedding_dropout` });
    this.blocks = Array.from(
      { length: c.numLayers },
      (_, i) =>
        new TransformerDecoder(c.intermediateDim, numHeads, {
          name: `${this.name}/transformer_layer_${i}`,
          dropout: c.dropout,
          activation: c.activation,
          layerNormEpsilon: c.layerNormEpsilon,
          normalizeFirst: true,
          kernelInitializer: { className: 'RandomNormal', config: { stddev: 0.02 } },
        }),
    );
    this.finalNorm = new LayerNormalization({
      name: `${this.name}/layer_norm`,
      epsilon: c.layerNormEpsilon,
    });
    this.build([null, c.sequenceLength]);
  }

  override build(_inputShape: SymbolicShape | SymbolicShape[]): void {
    const h: SymbolicShape = [null, null, this.config.hiddenDim];
    this.embedding.ensureBuilt([null, null]);
    this.embeddingDropout.ensureBuilt(h);
    for (const block of this.blocks) block.ensureBuilt(h);
    this.finalNorm.ensureBuilt(h);
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    return this.callWithCache(singleInput(this, inputs), null, args).logits;
  }

  /**
   * tokens [B, T] after the steps held in `caches` (one per block, null at the start) ->
   * logits [B, T, vocab] and the caches extended by these T steps.
   */
  callWithCache(
    tokens: Tensor,
    caches: readonly AttentionCache[] | null,
    args: { training?: boolean } = {},
  ): { logits: Tensor; caches: AttentionCache[] } {
    const training = args.training ?? false;
    if (caches && caches.length !== this.blocks.length)
      throw new RangeError(
        `${layerLabel(this)}: expected ${this.blocks.length} caches (one per block), got ${caches.length}`,
      );
    const startIndex = caches ? caches[0]!.key.shape[2]! : 0;
    let h = this.embedding.apply(tokens, { startIndex });
    h = this.embeddingDropout.apply(h, { training });
    const next: AttentionCache[] = [];
    this.blocks.forEach((block, i) => {
      const r = block.callWithCache(h, caches ? caches[i]! : null, { training });
      h = r.output;
      next.push(r.cache);
    });
    return { logits: this.embedding.attend(this.finalNorm.apply(h)), caches: next };
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as SymbolicShape;
    return [s[0]!, s[1]!, this.config.vocabularySize];
  }

  override getConfig(): Record<string, unknown> {
    return { name: this.name, ...this.config };
  }

  static override fromConfig(config: Record<string, unknown>): GPT {
    return new GPT(config as unknown as GPTArgs);
  }
}

registerLayer(GPT);
