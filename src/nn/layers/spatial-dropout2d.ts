import type { Tensor } from '../../tensor/tensor.js';
import type { CallArgs, LayerArgs, LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { Dropout } from './dropout.js';
import { checkDataFormat, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `SpatialDropout2D` layer. */
export interface SpatialDropout2DArgs extends LayerArgs {
  seed?: number | null;
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
}

/** Drops whole feature maps of NHWC images (the same channels at every pixel), in training only. `new SpatialDropout2D(0.2)` */
export class SpatialDropout2D extends Dropout {
  static override className = 'SpatialDropout2D';

  constructor(rate: number, args: SpatialDropout2DArgs = {}) {
    const { dataFormat, ...rest } = args;
    checkDataFormat('SpatialDropout2D', dataFormat);
    super(rate, { ...rest, noiseShape: [null, 1, 1, null] });
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    this.computeOutputShape(singleInput(this, inputs).shape);
    return super.call(inputs, args);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== 4) throw this.shapeError('(None, height, width, channels)', shape);
    return shape;
  }

  override getConfig(): Record<string, unknown> {
    const { noiseShape: _fixed, ...config } = super.getConfig();
    return { ...config, dataFormat: 'channels_last' };
  }

  /** Rebuilds a `SpatialDropout2D` from the config its `getConfig()` returns (deserialization). */
  static override fromConfig(config: Record<string, unknown>): SpatialDropout2D {
    const { rate, noiseShape: _fixed, ...args } = config;
    return new SpatialDropout2D(rate as number, args as SpatialDropout2DArgs);
  }
}

registerLayer(SpatialDropout2D);
