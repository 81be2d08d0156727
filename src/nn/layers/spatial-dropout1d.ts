import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, LayerArgs, LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { Dropout } from './dropout.js';
import { checkDataFormat, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `SpatialDropout1D` layer. */
export interface SpatialDropout1DArgs extends LayerArgs {
  seed?: number | null;
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
}

/** Drops whole channels of [batch, steps, channels] (the same ones at every step), in training only. `new SpatialDropout1D(0.2)` */
export class SpatialDropout1D extends Dropout {
  static override className = 'SpatialDropout1D';

  constructor(rate: number, args: SpatialDropout1DArgs = {}) {
    const { dataFormat, ...rest } = args;
    checkDataFormat('SpatialDropout1D', dataFormat);
    super(rate, { ...rest, noiseShape: [null, 1, null] });
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    this.computeOutputShape(singleInput(this, inputs).shape);
    return super.call(inputs, args);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== 3) throw this.shapeError('(None, steps, channels)', shape);
    return shape;
  }

  override getConfig(): Record<string, unknown> {
    const { noiseShape: _fixed, ...config } = super.getConfig();
    return config;
  }

  /** Rebuilds a `SpatialDropout1D` from the config its `getConfig()` returns (deserialization). */
  static override fromConfig(config: Record<string, unknown>): SpatialDropout1D {
    const { rate, noiseShape: _fixed, ...args } = config;
    return new SpatialDropout1D(rate as number, args as SpatialDropout1DArgs);
  }
}

registerLayer(SpatialDropout1D);
