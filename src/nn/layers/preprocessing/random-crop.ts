import { concat } from '../../../ops/concat.js';
import { slice } from '../../../ops/slice.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { layerLabel, positiveInt, singleShape } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import { RandomLayer, type RandomLayerArgs } from './random-layer.js';

/**
 * Crops each image to height × width at a random position in training, and at the centre at
 * inference (so shapes agree). Inputs must be at least that large.
 */
export class RandomCrop extends RandomLayer {
  static override className = 'RandomCrop';
  readonly height: number;
  readonly width: number;

  constructor(height: number, width: number, args: RandomLayerArgs = {}) {
    super(args);
    this.height = positiveInt('RandomCrop', 'height', height);
    this.width = positiveInt('RandomCrop', 'width', width);
  }

  /** Crops with ops.slice (differentiable), one window per image in training, the centre otherwise. */
  private crop(x: Tensor, random: boolean): Tensor {
    this.checkImages(x);
    const [h, w] = x.shape.slice(-3, -1) as [number, number];
    if (h < this.height || w < this.width) {
      throw new RangeError(
        `${layerLabel(this)}: images [${h}, ${w}] are smaller than the crop [${this.height}, ${this.width}]`,
      );
    }
    const window = (): [number, number] =>
      random
        ? [this.rng.int(h - this.height + 1), this.rng.int(w - this.width + 1)]
        : [Math.floor((h - this.height) / 2), Math.floor((w - this.width) / 2)];
    if (x.rank === 3 || !random) {
      const [top, left] = window();
      const lead = x.rank === 4 ? [0] : [];
      return slice(
        x,
        [...lead, top, left, 0],
        [...lead.map(() => -1), this.height, this.width, -1],
      );
    }
    const n = x.shape[0]!;
    const crops = Array.from({ length: n }, (_, i) => {
      const [top, left] = window();
      return slice(x, [i, top, left, 0], [1, this.height, this.width, -1]);
    });
    return crops.length === 1 ? crops[0]! : concat(crops, 0);
  }

  protected override augment(x: Tensor): Tensor {
    return this.crop(x, true);
  }

  protected override infer(x: Tensor): Tensor {
    return this.crop(x, false);
  }

  /** The input shape with height and width replaced by the crop size. */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    return [...s.slice(0, -3), this.height, this.width, s[s.length - 1]!];
  }

  /** The options that rebuild this `RandomCrop` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }

  /** Rebuilds a `RandomCrop` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RandomCrop {
    const { height, width, ...args } = config;
    return new RandomCrop(height as number, width as number, args as RandomLayerArgs);
  }
}

registerLayer(RandomCrop);
