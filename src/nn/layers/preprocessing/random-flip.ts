import { Tensor } from '../../../tensor/tensor.js';
import { oneOf } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import { perBatch } from './image-transform.js';
import { RandomLayer, type RandomLayerArgs } from './random-layer.js';

/** Which axes `RandomFlip` may flip. */
export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

/** Flips each image left-right and/or up-down with probability 1/2 each, in training only. */
export class RandomFlip extends RandomLayer {
  static override className = 'RandomFlip';
  readonly mode: FlipMode;

  constructor(mode: FlipMode = 'horizontal_and_vertical', args: RandomLayerArgs = {}) {
    super(args);
    this.mode = oneOf('RandomFlip', 'mode', mode, [
      'horizontal',
      'vertical',
      'horizontal_and_vertical',
    ]);
  }

  protected override augment(x: Tensor): Tensor {
    this.checkImages(x);
    return perBatch(x, (b) => {
      const [n, h, w, c] = b.shape as [number, number, number, number];
      const out = new Float32Array(b.size);
      const src = b.data;
      for (let i = 0; i < n; i++) {
        const fh = this.mode !== 'vertical' && this.rng.uniform() < 0.5;
        const fv = this.mode !== 'horizontal' && this.rng.uniform() < 0.5;
        const base = i * h * w * c;
        for (let y = 0; y < h; y++) {
          const sy = fv ? h - 1 - y : y;
          for (let xx = 0; xx < w; xx++) {
            const sx = fh ? w - 1 - xx : xx;
            for (let k = 0; k < c; k++)
              out[base + (y * w + xx) * c + k] = src[base + (sy * w + sx) * c + k]!;
          }
        }
      }
      return new Tensor(out, b.shape, 'float32');
    });
  }

  /** The options that rebuild this `RandomFlip` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), mode: this.mode };
  }

  /** Rebuilds a `RandomFlip` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RandomFlip {
    const { mode, ...args } = config;
    return new RandomFlip(mode as FlipMode, args as RandomLayerArgs);
  }
}

registerLayer(RandomFlip);
