import { registerLayer } from '../registry.js';
import { AffineLayer, type AffineLayerArgs } from './affine-layer.js';
import type { Affine } from './image-transform.js';
import { factorRange } from './random-layer.js';

/**
 * Zooms each image by a random factor about its centre, in training only: heightFactor 0.1 draws
 * from [-10%, +10%] (positive zooms out, negative zooms in, as in Keras). Without widthFactor
 * the aspect ratio is kept. `new RandomZoom(0.1)`
 */
export class RandomZoom extends AffineLayer {
  static override className = 'RandomZoom';
  readonly heightFactor: number | readonly [number, number];
  readonly widthFactor: number | readonly [number, number] | null;
  private readonly hRange: [number, number];
  private readonly wRange: [number, number] | null;

  constructor(
    heightFactor: number | readonly [number, number],
    widthFactor: number | readonly [number, number] | null = null,
    args: AffineLayerArgs = {},
  ) {
    super(args);
    this.hRange = factorRange('RandomZoom', 'heightFactor', heightFactor, -1);
    this.wRange =
      widthFactor === null ? null : factorRange('RandomZoom', 'widthFactor', widthFactor, -1);
    this.heightFactor = heightFactor;
    this.widthFactor = widthFactor;
  }

  protected randomMap(h: number, w: number): Affine {
    const zy = 1 + this.hRange[0] + (this.hRange[1] - this.hRange[0]) * this.rng.uniform();
    const zx = this.wRange
      ? 1 + this.wRange[0] + (this.wRange[1] - this.wRange[0]) * this.rng.uniform()
      : zy;
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    return [zx, 0, cx - zx * cx, 0, zy, cy - zy * cy];
  }

  /** The options that rebuild this `RandomZoom` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }

  /** Rebuilds a `RandomZoom` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RandomZoom {
    const { heightFactor, widthFactor, ...args } = config;
    return new RandomZoom(
      heightFactor as number,
      (widthFactor ?? null) as number | null,
      args as AffineLayerArgs,
    );
  }
}

registerLayer(RandomZoom);
