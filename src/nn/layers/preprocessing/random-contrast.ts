import { Tensor } from '../../../tensor/tensor.js';
import { registerLayer } from '../registry.js';
import { perBatch } from './image-transform.js';
import { factorRange, RandomLayer, type RandomLayerArgs } from './random-layer.js';

/** Options of the `RandomContrast` layer. */
export interface RandomContrastArgs extends RandomLayerArgs {
  /** The range of pixel values; outputs are clipped to it (Keras default [0, 255]). */
  valueRange?: readonly [number, number];
}

/**
 * Scales each image's contrast by a random c in [1 - lower, 1 + upper], per channel about the
 * channel mean: (x - mean)·c + mean, clipped to valueRange; in training only.
 */
export class RandomContrast extends RandomLayer {
  static override className = 'RandomContrast';
  readonly factor: number | readonly [number, number];
  readonly valueRange: [number, number];
  private readonly range: [number, number];

  constructor(factor: number | readonly [number, number], args: RandomContrastArgs = {}) {
    super(args);
    const [lo, hi] = typeof factor === 'number' ? [factor, factor] : factor;
    factorRange('RandomContrast', 'factor', [-lo, hi]);
    if (lo < 0 || lo > 1 || hi < 0) {
      throw new RangeError(
        `RandomContrast: factor must be in [0, 1] (or a pair of them), got ${JSON.stringify(factor)}`,
      );
    }
    this.range = [1 - lo, 1 + hi];
    this.factor = factor;
    this.valueRange = [...(args.valueRange ?? [0, 255])] as [number, number];
  }

  protected override augment(x: Tensor): Tensor {
    this.checkImages(x);
    const [vmin, vmax] = this.valueRange;
    return perBatch(x, (b) => {
      const [n, h, w, c] = b.shape as [number, number, number, number];
      const out = new Float32Array(b.size);
      const src = b.data;
      const hw = h * w;
      for (let i = 0; i < n; i++) {
        const f = this.range[0] + (this.range[1] - this.range[0]) * this.rng.uniform();
        const base = i * hw * c;
        for (let k = 0; k < c; k++) {
          let mean = 0;
          for (let p = 0; p < hw; p++) mean += src[base + p * c + k]!;
          mean /= hw;
          for (let p = 0; p < hw; p++) {
            const v = (src[base + p * c + k]! - mean) * f + mean;
            out[base + p * c + k] = Math.min(vmax, Math.max(vmin, v));
          }
        }
      }
      return new Tensor(out, b.shape, 'float32');
    });
  }

  /**
   * The options that rebuild this `RandomContrast` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor, valueRange: this.valueRange };
  }

  /** Rebuilds a `RandomContrast` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RandomContrast {
    const { factor, ...args } = config;
    return new RandomContrast(factor as number, args as RandomContrastArgs);
  }
}

registerLayer(RandomContrast);
