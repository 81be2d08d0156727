import type { DType } from '../../tensor/dtype.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import {
  formatSymbolicShape,
  type SymbolicShape,
  SymbolicTensor,
} from '../engine/symbolic-tensor.js';
import { registerLayer } from './registry.js';

/** Options of the `InputLayer` layer. */
export interface InputLayerArgs extends LayerArgs {
  /** Shape of one sample, without the batch axis. */
  inputShape?: readonly (number | null)[];
  /** Full shape including the batch axis (null = any batch size). */
  batchInputShape?: readonly (number | null)[];
}

const inputLayers = new WeakMap<SymbolicTensor, InputLayer>();

/**
 * The entry point of a functional model: it holds the input's shape and dtype and passes tensors
 * through unchanged. Made by `Input()`; a functional Model lists one per input first.
 */
export class InputLayer extends Layer {
  static override className = 'InputLayer';
  /** The symbolic tensor this layer feeds into the graph. */
  readonly output: SymbolicTensor;

  constructor(args: InputLayerArgs = {}) {
    super(args);
    if (!this.batchInputShape) {
      throw new TypeError(`InputLayer '${this.name}': give inputShape or batchInputShape`);
    }
    for (const d of this.batchInputShape) {
      if (d !== null && !(Number.isInteger(d) && d >= 0)) {
        throw new RangeError(
          `InputLayer '${this.name}': invalid shape ${formatSymbolicShape(this.batchInputShape)}; dimensions must be integers >= 0 or null`,
        );
      }
    }
    this.built = true;
    this.output = new SymbolicTensor(this.batchInputShape, this.dtype, this.name);
    inputLayers.set(this.output, this);
    this.inboundCalls.push({ inputs: [], outputs: [this.output] });
  }

  override call(inputs: LayerInput, _args: CallArgs): LayerInput {
    return inputs;
  }

  override computeOutputShape(
    inputShape: SymbolicShape | SymbolicShape[],
  ): SymbolicShape | SymbolicShape[] {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), batchInputShape: this.batchInputShape };
  }

  /** Rebuilds an `InputLayer` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): InputLayer {
    return new InputLayer(config as InputLayerArgs);
  }
}

/** The InputLayer that made `t`, when `t` came from `Input()`. */
export function inputLayerOf(t: SymbolicTensor): InputLayer | undefined {
  return inputLayers.get(t);
}

/** Options of `Input()`, the functional API's symbolic input. */
export interface InputArgs {
  /** Shape of one sample, without the batch axis; null marks a free dimension. */
  shape?: readonly (number | null)[];
  /** A fixed batch size (default: any). */
  batchSize?: number;
  /** Full shape including the batch axis, instead of shape + batchSize. */
  batchShape?: readonly (number | null)[];
  name?: string;
  dtype?: DType;
}

/**
 * A symbolic input of a functional model (Keras's `keras.Input`).
 * `const x = Input({ shape: [784] }); const y = dense.apply(x); new Model({ inputs: x, outputs: y })`
 */
export function Input(args: InputArgs): SymbolicTensor {
  if (!args.shape && !args.batchShape) throw new TypeError('Input: give shape (or batchShape)');
  const batchInputShape = args.batchShape ?? [args.batchSize ?? null, ...args.shape!];
  const layer = new InputLayer({ batchInputShape, dtype: args.dtype, name: args.name });
  return layer.output;
}

registerLayer(InputLayer);
