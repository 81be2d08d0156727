import { fakeQuant } from '../../ops/fake-quant.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `FakeQuantize` layer: one per-tensor scale and zero point on an integer grid. */
export interface FakeQuantizeArgs extends LayerArgs {
  scale: number;
  zeroPoint: number;
  /** The grid, [0, 255] (uint8) by default; [-128, 127] for int8. */
  quantMin?: number;
  quantMax?: number;
}

/**
 * Rounds to a per-tensor integer grid and back (ONNX QuantizeLinear then DequantizeLinear):
 * y = (clamp(roundHalfEven(x / scale) + zeroPoint, quantMin, quantMax) − zeroPoint) · scale; the
 * gradient is the straight-through estimator inside the range. `new FakeQuantize({scale: 0.02, zeroPoint: 128})`
 */
export class FakeQuantize extends Layer {
  static override className = 'FakeQuantize';
  readonly scale: number;
  readonly zeroPoint: number;
  readonly quantMin: number;
  readonly quantMax: number;

  constructor(args: FakeQuantizeArgs) {
    super(args);
    const { scale, zeroPoint, quantMin = 0, quantMax = 255 } = args;
    if (!(typeof scale === 'number' && Number.isFinite(scale) && scale > 0))
      throw new RangeError(`FakeQuantize: scale must be finite and positive, got ${scale}`);
    if (!Number.isInteger(quantMin) || !Number.isInteger(quantMax) || quantMin >= quantMax)
      throw new RangeError(
        `FakeQuantize: expected integers quantMin < quantMax, got [${quantMin}, ${quantMax}]`,
      );
    if (!Number.isInteger(zeroPoint) || zeroPoint < quantMin || zeroPoint > quantMax)
      throw new RangeError(
        `FakeQuantize: zeroPoint must be an integer in [${quantMin}, ${quantMax}], got ${zeroPoint}`,
      );
    this.scale = Math.fround(scale);
    this.zeroPoint = zeroPoint;
    this.quantMin = quantMin;
    this.quantMax = quantMax;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    return fakeQuant(x, {
      scale: this.scale,
      zeroPoint: this.zeroPoint,
      quantMin: this.quantMin,
      quantMax: this.quantMax,
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    const { scale, zeroPoint, quantMin, quantMax } = this;
    return { ...super.getConfig(), scale, zeroPoint, quantMin, quantMax };
  }

  /** Rebuilds a `FakeQuantize` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): FakeQuantize {
    return new FakeQuantize(config as unknown as FakeQuantizeArgs);
  }
}

registerLayer(FakeQuantize);
