import { mul } from '../../ops/index.js';
import { Tensor } from '../../tensor/tensor.js';
import { RandomLayer, type RandomLayerArgs } from './preprocessing/random-layer.js';
import { registerLayer } from './registry.js';

/**
 * Multiplies the input by Gaussian noise of mean 1 and standard deviation sqrt(rate / (1 - rate)),
 * in training only (Srivastava et al. 2014). `new GaussianDropout(0.2)`
 */
export class GaussianDropout extends RandomLayer {
  static override className = 'GaussianDropout';
  readonly rate: number;

  constructor(rate: number, args: RandomLayerArgs = {}) {
    super(args);
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1))
      throw new RangeError(`GaussianDropout: rate must be a number in [0, 1), got ${String(rate)}`);
    this.rate = rate;
    this.supportsMasking = true;
  }

  protected override augment(x: Tensor): Tensor {
    if (this.rate === 0) return x;
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    const noise = new Float32Array(x.size);
    for (let i = 0; i < noise.length; i++) noise[i] = 1 + stddev * this.rng.normal();
    return mul(x, new Tensor(noise, x.shape, 'float32'));
  }

  /**
   * The options that rebuild this `GaussianDropout` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate };
  }

  /** Rebuilds a `GaussianDropout` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): GaussianDropout {
    const { rate, ...args } = config;
    return new GaussianDropout(rate as number, args as RandomLayerArgs);
  }
}

registerLayer(GaussianDropout);
