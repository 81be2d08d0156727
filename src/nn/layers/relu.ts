import { cast, clipByValue, greater, mul, relu, relu6, sub } from '../../ops/index.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { singleInput, singleShape } from './internal/args.js';
import { registerLayer } from './registry.js';

/** Options of the `ReLU` layer. */
export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (none by default); `maxValue: 6` is ReLU6. */
  maxValue?: number | null;
  /** Slope below the threshold (0 by default). */
  negativeSlope?: number;
  /** Inputs at or below it give negativeSlope · (x - threshold) (0 by default). */
  threshold?: number;
}

function nonNegative(arg: string, v: unknown): number {
  if (typeof v !== 'number' || !(v >= 0) || !Number.isFinite(v))
    throw new RangeError(`ReLU: ${arg} must be a finite number >= 0, got ${String(v)}`);
  return v;
}

/**
 * Keras's ReLU layer: y = maxValue for x >= maxValue, x for threshold < x < maxValue,
 * negativeSlope · (x - threshold) otherwise. `new ReLU({maxValue: 6})` (MobileNet's ReLU6)
 */
export class ReLU extends Layer {
  static override className = 'ReLU';
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args);
    this.maxValue = args.maxValue == null ? null : nonNegative('maxValue', args.maxValue);
    this.negativeSlope = nonNegative('negativeSlope', args.negativeSlope ?? 0);
    this.threshold = nonNegative('threshold', args.threshold ?? 0);
    this.supportsMasking = true;
  }

  /** Keras's ReLU.static_call, step for step, so the results agree at every boundary. */
  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const { maxValue, negativeSlope: slope, threshold } = this;
    let negativePart: Tensor | null = null;
    if (slope !== 0) negativePart = relu(threshold !== 0 ? sub(threshold, x) : mul(x, -1));
    let clipMax = maxValue !== null;
    let y: Tensor;
    if (threshold !== 0) y = mul(x, cast(greater(x, threshold), 'float32'));
    else if (maxValue === 6) {
      y = relu6(x);
      clipMax = false;
    } else y = relu(x);
    if (clipMax) y = clipByValue(y, 0, maxValue!);
    return negativePart ? sub(y, mul(negativePart, slope)) : y;
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return singleShape(this, inputShape);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      maxValue: this.maxValue,
      negativeSlope: this.negativeSlope,
      threshold: this.threshold,
    };
  }

  /** Rebuilds a `ReLU` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): ReLU {
    return new ReLU(config as ReLUArgs);
  }
}

registerLayer(ReLU);
