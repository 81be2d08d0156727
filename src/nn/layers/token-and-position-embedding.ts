import { add, cast, gather, matMul, notEqual, slice } from '../../ops/index.js';
import type { Tensor, Variable } from '../../tensor/tensor.js';
import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
  type WeightInitializer,
} from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import { builtWeight, layerLabel, positiveInt, singleInput, singleShape } from './internal/args.js';
import { resolveInitializer } from './internal/config.js';
import { registerLayer } from './registry.js';

/** Options of the `TokenAndPositionEmbedding` layer. */
export interface TokenAndPositionEmbeddingArgs extends LayerArgs {
  /** Initializer of the token table (keras_hub: 'uniform'). */
  embeddingsInitializer?: InitializerIdentifier;
  /** Initializer of the position table (keras_hub: 'glorotUniform'). */
  positionInitializer?: InitializerIdentifier;
  /** Token 0 is padding: the layer emits a mask (tokens != 0). */
  maskZero?: boolean;
}

/**
 * keras_hub's TokenAndPositionEmbedding: token ids [batch, steps] -> token embedding + learned
 * position embedding [batch, steps, embeddingDim]. Weights: token_embedding/embeddings
 * [vocabularySize, embeddingDim], then position_embedding/embeddings [sequenceLength, embeddingDim].
 * Call with `{startIndex}` for the positions after a key/value cache; `attend(h)` is the tied output
 * projection h · tokenEmbeddingsᵀ (keras_hub ReversibleEmbedding's reverse call).
 * `new TokenAndPositionEmbedding(65, 64, 128)`
 */
export class TokenAndPositionEmbedding extends Layer {
  static override className = 'TokenAndPositionEmbedding';
  readonly vocabularySize: number;
  readonly sequenceLength: number;
  readonly embeddingDim: number;
  readonly embeddingsInitializer: WeightInitializer;
  readonly positionInitializer: WeightInitializer;
  readonly maskZero: boolean;
  tokenEmbeddings: Variable | null = null;
  positionEmbeddings: Variable | null = null;

  constructor(
    vocabularySize: number,
    sequenceLength: number,
    embeddingDim: number,
    args: TokenAndPositionEmbeddingArgs = {},
  ) {
    super(args);
    const cls = 'TokenAndPositionEmbedding';
    this.vocabularySize = positiveInt(cls, 'vocabularySize', vocabularySize);
    this.sequenceLength = positiveInt(cls, 'sequenceLength', sequenceLength);
    this.embeddingDim = positiveInt(cls, 'embeddingDim', embeddingDim);
    this.embeddingsInitializer = resolveInitializer(
      cls,
      'embeddingsInitializer',
      args.embeddingsInitializer,
      'uniform',
    );
    this.positionInitializer = resolveInitializer(
      cls,
      'positionInitializer',
      args.positionInitializer,
      'glorotUniform',
    );
    this.maskZero = args.maskZero ?? false;
  }

  override build(_inputShape: SymbolicShape | SymbolicShape[]): void {
    this.tokenEmbeddings = this.addWeight('token_embedding/embeddings', {
      shape: [this.vocabularySize, this.embeddingDim],
      initializer: this.embeddingsInitializer,
    });
    this.positionEmbeddings = this.addWeight('position_embedding/embeddings', {
      shape: [this.sequenceLength, this.embeddingDim],
      initializer: this.positionInitializer,
    });
    this.built = true;
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const ids = this.tokenIds(singleInput(this, inputs));
    const startIndex = (args['startIndex'] as number | undefined) ?? 0;
    const T = ids.shape[1]!;
    if (!Number.isInteger(startIndex) || startIndex < 0)
      throw new RangeError(
        `${layerLabel(this)}: startIndex must be a non-negative integer, got ${startIndex}`,
      );
    if (startIndex + T > this.sequenceLength)
      throw new RangeError(
        `${layerLabel(this)}: positions ${startIndex}..${startIndex + T - 1} exceed the position table (sequenceLength=${this.sequenceLength}); got tokens [${ids.shape.join(', ')}]${startIndex ? ` after ${startIndex} cached steps` : ''}`,
      );
    const tokens = gather(builtWeight(this, this.tokenEmbeddings), ids);
    const positions = slice(builtWeight(this, this.positionEmbeddings), [startIndex, 0], [T, -1]);
    return add(tokens, positions);
  }

  /** The tied language-model head: h [..., embeddingDim] -> logits [..., vocabularySize]. */
  attend(h: Tensor): Tensor {
    return matMul(h, builtWeight(this, this.tokenEmbeddings), false, true);
  }

  override computeMask(inputs: LayerInput, _mask: Tensor | null | undefined): Tensor | null {
    if (!this.maskZero) return null;
    return notEqual(singleInput(this, inputs), 0);
  }

  /** Token ids as int32 [batch, steps]; float inputs must hold integers in [0, vocabularySize). */
  private tokenIds(x: Tensor): Tensor {
    if (x.rank !== 2) throw this.shapeError('token ids (batch, steps)', x.shape);
    const d = x.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (!Number.isInteger(v) || v < 0 || v >= this.vocabularySize)
        throw new RangeError(
          `${layerLabel(this)}: token ids must be integers in [0, ${this.vocabularySize}), got ${v} at flat index ${i}`,
        );
    }
    return x.dtype === 'int32' ? x : cast(x, 'int32');
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== 2) throw this.shapeError('token ids (batch, steps)', shape);
    if (shape[1] !== null && shape[1]! > this.sequenceLength)
      throw new RangeError(
        `${layerLabel(this)}: sequences of ${shape[1]} steps exceed the position table (sequenceLength=${this.sequenceLength})`,
      );
    return [shape[0]!, shape[1]!, this.embeddingDim];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      vocabularySize: this.vocabularySize,
      sequenceLength: this.sequenceLength,
      embeddingDim: this.embeddingDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
      positionInitializer: serializeInitializer(this.positionInitializer),
      maskZero: this.maskZero,
    };
  }

  /**
   * Rebuilds a `TokenAndPositionEmbedding` from the config its `getConfig()` returns
   * (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): TokenAndPositionEmbedding {
    const { vocabularySize, sequenceLength, embeddingDim, ...args } = config;
    return new TokenAndPositionEmbedding(
      vocabularySize as number,
      sequenceLength as number,
      embeddingDim as number,
      args as TokenAndPositionEmbeddingArgs,
    );
  }
}

registerLayer(TokenAndPositionEmbedding);
