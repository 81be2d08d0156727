import type { Tensor } from '../../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { layerLabel, oneOf, positiveInt, singleInput, singleShape } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import {
  type CategoricalOutputMode,
  categoricalShape,
  encodeCategorical,
} from './encode-categorical.js';

/** Options of the `CategoryEncoding` layer. */
export interface CategoryEncodingArgs extends LayerArgs {
  /** The number of categories; inputs lie in [0, numTokens). Required. */
  numTokens: number;
  /** 'multi_hot' (default), 'one_hot' or 'count'. */
  outputMode?: CategoricalOutputMode;
  /** Keras's sparse output: only false (Keel has no sparse tensors). */
  sparse?: boolean;
}

/**
 * Encodes integer categories as float32 vectors of numTokens columns: 'one_hot' [batch] →
 * [batch, numTokens]; 'multi_hot' and 'count' [batch, k] → [batch, numTokens] (1 where a
 * category occurs, or how often). Not differentiable.
 * `new CategoryEncoding({numTokens: 4, outputMode: 'one_hot'}).apply(tensor([3, 0], [2], 'int32'))`
 */
export class CategoryEncoding extends Layer {
  static override className = 'CategoryEncoding';
  readonly numTokens: number;
  readonly outputMode: CategoricalOutputMode;

  constructor(args: CategoryEncodingArgs) {
    const { numTokens, outputMode = 'multi_hot', sparse = false, ...rest } = args ?? {};
    super(rest);
    this.numTokens = positiveInt('CategoryEncoding', 'numTokens', numTokens);
    this.outputMode = oneOf('CategoryEncoding', 'outputMode', outputMode, [
      'one_hot',
      'multi_hot',
      'count',
    ]);
    if (sparse !== false)
      throw new RangeError(
        'CategoryEncoding: sparse=true is not supported (Keel has no sparse tensors)',
      );
    this.trainable = false;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    return encodeCategorical(x.data, x.shape, this.outputMode, this.numTokens, layerLabel(this));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return categoricalShape(singleShape(this, inputShape), this.outputMode, this.numTokens);
  }

  /** The options that rebuild this `CategoryEncoding` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numTokens: this.numTokens,
      outputMode: this.outputMode,
      sparse: false,
    };
  }

  /** Rebuilds a `CategoryEncoding` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): CategoryEncoding {
    return new CategoryEncoding(config as unknown as CategoryEncodingArgs);
  }
}

registerLayer(CategoryEncoding);
