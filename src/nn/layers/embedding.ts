import { gather, notEqual } from '../../ops/index.js';
import { formatShape } from '../../tensor/shape.js';
import { Tensor, type Variable } from '../../tensor/tensor.js';
import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
  type WeightInitializer,
  type WeightRegularizer,
} from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { type InitializerIdentifier, serializeInitializer } from '../initializers/initializer.js';
import type { RegularizerIdentifier } from '../regularizers/regularizer.js';
import { builtWeight, layerLabel, positiveInt, singleInput, singleShape } from './internal/args.js';
import { regularizerConfig, resolveInitializer, resolveRegularizer } from './internal/config.js';
import { registerLayer } from './registry.js';

/** Options of the `Embedding` layer. */
export interface EmbeddingArgs extends LayerArgs {
  /** 'uniform' (RandomUniform(-0.05, 0.05)) by default, as Keras. */
  embeddingsInitializer?: InitializerIdentifier;
  embeddingsRegularizer?: RegularizerIdentifier | null;
  /** Treat id 0 as padding: the layer emits a [batch, steps] mask that later layers honour. */
  maskZero?: boolean;
}

/**
 * Looks up a learned vector per token id: ids [batch, ...] (int32, or float32 holding integers)
 * → [batch, ..., outputDim], embeddings [inputDim, outputDim]. The gradient is a sparse
 * scatter-add into the rows used. `new Embedding(10000, 64, {inputLength: 200})`
 */
export class Embedding extends Layer {
  static override className = 'Embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly embeddingsInitializer: WeightInitializer;
  readonly embeddingsRegularizer: WeightRegularizer | null;
  readonly maskZero: boolean;
  readonly inputLength: number | null;
  embeddings: Variable | null = null;

  constructor(inputDim: number, outputDim: number, args: EmbeddingArgs = {}) {
    super(args);
    this.inputDim = positiveInt('Embedding', 'inputDim', inputDim);
    this.outputDim = positiveInt('Embedding', 'outputDim', outputDim);
    this.embeddingsInitializer = resolveInitializer(
      'Embedding',
      'embeddingsInitializer',
      args.embeddingsInitializer,
      'uniform',
    );
    this.embeddingsRegularizer = resolveRegularizer(
      'Embedding',
      'embeddingsRegularizer',
      args.embeddingsRegularizer,
    );
    this.maskZero = args.maskZero ?? false;
    this.inputLength = args.inputLength ?? null;
    if (this.inputLength !== null) positiveInt('Embedding', 'inputLength', this.inputLength);
  }

  override build(_inputShape: SymbolicShape | SymbolicShape[]): void {
    this.embeddings = this.addWeight('embeddings', {
      shape: [this.inputDim, this.outputDim],
      initializer: this.embeddingsInitializer,
      regularizer: this.embeddingsRegularizer,
    });
    this.built = true;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const ids = singleInput(this, inputs);
    this.checkIds(ids);
    const table = builtWeight(this, this.embeddings);
    const idx =
      ids.dtype === 'int32' ? ids : new Tensor(Int32Array.from(ids.data), ids.shape, 'int32');
    return gather(table, idx, 0);
  }

  /** Ids must be integers in [0, inputDim): anything else is an error naming the id and inputDim. */
  private checkIds(ids: Tensor): void {
    const label = layerLabel(this);
    if (ids.dtype === 'bool')
      throw new TypeError(`${label}: expected integer token ids, got a bool tensor`);
    const d = ids.data;
    for (let i = 0; i < d.length; i++) {
      const v = d[i]!;
      if (Number.isInteger(v) && v >= 0 && v < this.inputDim) continue;
      const where =
        ids.rank === 2
          ? ` (sample ${Math.floor(i / ids.shape[1]!)}, step ${i % ids.shape[1]!})`
          : '';
      const why = !Number.isInteger(v)
        ? 'is not an integer token id'
        : v < 0
          ? 'is negative'
          : `is out of range: ids must be < inputDim=${this.inputDim}; raise inputDim or cap the vocabulary (TextVectorization maxTokens)`;
      throw new RangeError(
        `${label}: token id ${v}${where} in input ${formatShape(ids.shape)} ${why}`,
      );
    }
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return [...singleShape(this, inputShape), this.outputDim];
  }

  override computeMask(inputs: LayerInput, _mask: Tensor | null | undefined): Tensor | null {
    return this.maskZero ? notEqual(singleInput(this, inputs), 0) : null;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      embeddingsInitializer: serializeInitializer(this.embeddingsInitializer),
      embeddingsRegularizer: regularizerConfig(this.embeddingsRegularizer),
      maskZero: this.maskZero,
      ...(this.inputLength !== null ? { inputLength: this.inputLength } : {}),
    };
  }

  /** Rebuilds an `Embedding` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Embedding {
    const { inputDim, outputDim, ...args } = config;
    return new Embedding(inputDim as number, outputDim as number, args as EmbeddingArgs);
  }
}

registerLayer(Embedding);
