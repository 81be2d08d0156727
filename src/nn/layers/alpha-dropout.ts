import { add, mul } from '../../ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { layerLabel } from './internal/args.js';
import { RandomLayer, type RandomLayerArgs } from './preprocessing/random-layer.js';
import { registerLayer } from './registry.js';

/** Options of the `AlphaDropout` layer. */
export interface AlphaDropoutArgs extends RandomLayerArgs {
  /** Shape of the keep mask, broadcast over the input (null = the input's size there). */
  noiseShape?: readonly (number | null)[] | null;
}

/** SELU's saturation value -scale·alpha, where dropped activations are set. */
const ALPHA_P = -1.6732632423543772 * 1.0507009873554805;

/**
 * Dropout for self-normalizing networks (Klambauer et al. 2017), in training only: dropped
 * elements become -scale·alpha, then y = a·x + b restores the mean and variance, with
 * a = ((1 - rate)(1 + rate·alpha'²))^-1/2 and b = -a·alpha'·rate, as Keras's. `new AlphaDropout(0.1)`
 */
export class AlphaDropout extends RandomLayer {
  static override className = 'AlphaDropout';
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;

  constructor(rate: number, args: AlphaDropoutArgs = {}) {
    const { noiseShape, ...rest } = args;
    super(rest);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
      throw new RangeError(`AlphaDropout: rate must be a number in [0, 1), got ${String(rate)}`);
    this.rate = rate;
    this.noiseShape = noiseShape ? [...noiseShape] : null;
    this.supportsMasking = true;
  }

  protected override augment(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    const shape = this.noiseShape?.map((d, i) => d ?? x.shape[i]!) ?? x.shape;
    if (shape.length !== x.rank || shape.some((d, i) => d !== 1 && d !== x.shape[i]))
      throw new RangeError(
        `${layerLabel(this)}: noiseShape ${JSON.stringify(this.noiseShape)} does not broadcast to the input [${x.shape.join(', ')}]`,
      );
    const a = ((1 - this.rate) * (1 + this.rate * ALPHA_P ** 2)) ** -0.5;
    const b = -a * ALPHA_P * this.rate;
    const size = shape.reduce((n, d) => n * d, 1);
    const keep = new Float32Array(size);
    const fill = new Float32Array(size);
    for (let i = 0; i < size; i++) {
      const kept = this.rng.uniform() >= this.rate;
      keep[i] = kept ? a : 0;
      fill[i] = kept ? b : a * ALPHA_P + b;
    }
    return add(mul(x, new Tensor(keep, shape, 'float32')), new Tensor(fill, shape, 'float32'));
  }

  /** The options that rebuild this `AlphaDropout` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, noiseShape: this.noiseShape };
  }

  /** Rebuilds an `AlphaDropout` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): AlphaDropout {
    const { rate, ...args } = config;
    return new AlphaDropout(rate as number, args as AlphaDropoutArgs);
  }
}

registerLayer(AlphaDropout);
