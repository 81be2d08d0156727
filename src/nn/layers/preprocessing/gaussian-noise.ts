import { add } from '../../../ops/add.js';
import { Tensor } from '../../../tensor/tensor.js';
import { registerLayer } from '../registry.js';
import { RandomLayer, type RandomLayerArgs } from './random-layer.js';

/**
 * Adds zero-mean Gaussian noise of standard deviation `stddev`, in training only; differentiable
 * in its input, so it also works as a regularizer inside a model. `new GaussianNoise(0.1)`
 */
export class GaussianNoise extends RandomLayer {
  static override className = 'GaussianNoise';
  readonly stddev: number;

  constructor(stddev: number, args: RandomLayerArgs = {}) {
    super(args);
    if (typeof stddev !== 'number' || !(stddev >= 0) || !Number.isFinite(stddev)) {
      throw new RangeError(
        `GaussianNoise: stddev must be a finite number >= 0, got ${String(stddev)}`,
      );
    }
    this.stddev = stddev;
    this.supportsMasking = true;
  }

  protected override augment(x: Tensor): Tensor {
    if (this.stddev === 0) return x;
    const noise = new Float32Array(x.size);
    for (let i = 0; i < noise.length; i++) noise[i] = this.stddev * this.rng.normal();
    return add(x, new Tensor(noise, x.shape, 'float32'));
  }

  /** The options that rebuild this `GaussianNoise` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev };
  }

  /** Rebuilds a `GaussianNoise` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): GaussianNoise {
    const { stddev, ...args } = config;
    return new GaussianNoise(stddev as number, args as RandomLayerArgs);
  }
}

registerLayer(GaussianNoise);
