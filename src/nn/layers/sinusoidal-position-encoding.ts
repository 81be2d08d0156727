import { broadcastTo } from '../../ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { layerLabel, singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `SinusoidalPositionEncoding` layer. */
export interface SinusoidalPositionEncodingArgs extends LayerArgs {
  maxWavelength?: number;
}

/**
 * The fixed sinusoidal position encoding of "Attention Is All You Need" (keras_hub's
 * SinePositionEncoding): for x [batch, steps, D] it returns the encoding broadcast to x's shape, to be
 * added to x; feature i of step t is sin(t · w_i) for even i and cos(t · w_i) for odd i,
 * w_i = maxWavelength^(-2⌊i/2⌋/D). No weights. `add(x, new SinusoidalPositionEncoding().apply(x))`
 */
export class SinusoidalPositionEncoding extends Layer {
  static override className = 'SinusoidalPositionEncoding';
  readonly maxWavelength: number;

  constructor(args: SinusoidalPositionEncodingArgs = {}) {
    super(args);
    this.maxWavelength = args.maxWavelength ?? 10000;
    if (!(this.maxWavelength > 0))
      throw new RangeError(
        `SinusoidalPositionEncoding: maxWavelength must be > 0, got ${this.maxWavelength}`,
      );
  }

  override call(inputs: LayerInput, args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    if (x.rank < 2) throw this.shapeError('(batch, steps, features) or (steps, features)', x.shape);
    const startIndex = (args['startIndex'] as number | undefined) ?? 0;
    if (!Number.isInteger(startIndex) || startIndex < 0)
      throw new RangeError(
        `${layerLabel(this)}: startIndex must be a non-negative integer, got ${startIndex}`,
      );
    const T = x.shape.at(-2)!;
    const D = x.shape.at(-1)!;
    const table = new Float32Array(T * D);
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < D; i++) {
        const angle = (startIndex + t) * (1 / this.maxWavelength) ** ((2 * Math.floor(i / 2)) / D);
        table[t * D + i] = i % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
      }
    }
    return broadcastTo(new Tensor(table, [T, D], 'float32'), x.shape);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), maxWavelength: this.maxWavelength };
  }

  /**
   * Rebuilds a `SinusoidalPositionEncoding` from the config its `getConfig()` returns
   * (deserialization).
   */
  static fromConfig(config: Record<string, unknown>): SinusoidalPositionEncoding {
    return new SinusoidalPositionEncoding(config as SinusoidalPositionEncodingArgs);
  }
}

registerLayer(SinusoidalPositionEncoding);
