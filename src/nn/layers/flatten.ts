import { reshape } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { checkDataFormat, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `Flatten` layer. */
export interface FlattenArgs extends LayerArgs {
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
}

/**
 * Flattens every axis but the batch: [batch, d1, d2, ...] → [batch, d1·d2·...] ([batch] → [batch, 1]).
 * `new Flatten()`
 */
export class Flatten extends Layer {
  static override className = 'Flatten';
  readonly dataFormat = 'channels_last';

  constructor(args: FlattenArgs = {}) {
    super(args);
    checkDataFormat('Flatten', args.dataFormat);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const [batch, features] = this.computeOutputShape(x.shape) as [number, number];
    return reshape(x, [batch, features]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length < 1) throw this.shapeError('(None, ...)', shape);
    const rest = shape.slice(1);
    const features = rest.some((d) => d === null)
      ? null
      : rest.reduce<number>((a, b) => a * (b as number), 1);
    return [shape[0]!, features];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: this.dataFormat };
  }

  /** Rebuilds a `Flatten` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Flatten {
    return new Flatten(config as FlattenArgs);
  }
}

registerLayer(Flatten);
