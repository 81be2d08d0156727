import { add, cast, clipByValue } from '../../../ops/index.js';
import { tensor } from '../../../tensor/create.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { registerLayer } from '../registry.js';
import { factorRange, RandomLayer, type RandomLayerArgs } from './random-layer.js';

/** Options of the `RandomBrightness` layer. */
export interface RandomBrightnessArgs extends RandomLayerArgs {
  /** The range of pixel values; outputs are clipped to it (Keras default [0, 255]). */
  valueRange?: readonly [number, number];
}

/**
 * Adds δ·(max - min) to every pixel of an image, δ drawn per image in the factor range (a number f
 * means [-f, f], each end in [-1, 1]), then clips to valueRange = [min, max]; in training only.
 * `new RandomBrightness(0.2, {valueRange: [0, 1]})`
 */
export class RandomBrightness extends RandomLayer {
  static override className = 'RandomBrightness';
  readonly factor: number | readonly [number, number];
  readonly valueRange: [number, number];
  private readonly range: [number, number];

  constructor(factor: number | readonly [number, number], args: RandomBrightnessArgs = {}) {
    super(args);
    this.range = factorRange('RandomBrightness', 'factor', factor, -1);
    if (this.range[1] > 1)
      throw new RangeError(
        `RandomBrightness: factor must lie in [-1, 1] (a number or a pair), got ${JSON.stringify(factor)}`,
      );
    this.factor = typeof factor === 'number' ? factor : ([factor[0], factor[1]] as const);
    const [lo, hi] = args.valueRange ?? [0, 255];
    if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi))
      throw new RangeError(
        `RandomBrightness: valueRange must be [min, max] with min < max, got ${JSON.stringify(args.valueRange)}`,
      );
    this.valueRange = [lo, hi];
  }

  protected override augment(x0: Tensor): Tensor {
    this.checkImages(x0);
    const x = x0.dtype === 'float32' ? x0 : cast(x0, 'float32');
    const [vmin, vmax] = this.valueRange;
    const n = x.rank === 4 ? x.shape[0]! : 1;
    const deltas = Float32Array.from(
      { length: n },
      () => (this.range[0] + (this.range[1] - this.range[0]) * this.rng.uniform()) * (vmax - vmin),
    );
    const shape = x.rank === 4 ? [n, 1, 1, 1] : [1, 1, 1];
    return clipByValue(add(x, tensor(deltas, shape)), vmin, vmax);
  }

  /**
   * The options that rebuild this `RandomBrightness` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }

  /** Rebuilds a `RandomBrightness` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RandomBrightness {
    const { factor, ...args } = config;
    return new RandomBrightness(factor as number, args as RandomBrightnessArgs);
  }
}

registerLayer(RandomBrightness);
