import { registerLayer } from '../registry.js';
import { AffineLayer, type AffineLayerArgs } from './affine-layer.js';
import type { Affine } from './image-transform.js';
import { factorRange } from './random-layer.js';

/**
 * Shifts each image by a random fraction of its height and width (heightFactor 0.1: up to ±10%
 * of the height), in training only. `new RandomTranslation(0.1, 0.1)`
 */
export class RandomTranslation extends AffineLayer {
  static override className = 'RandomTranslation';
  readonly heightFactor: number | readonly [number, number];
  readonly widthFactor: number | readonly [number, number];
  private readonly hRange: [number, number];
  private readonly wRange: [number, number];

  constructor(
    heightFactor: number | readonly [number, number],
    widthFactor: number | readonly [number, number],
    args: AffineLayerArgs = {},
  ) {
    super(args);
    this.hRange = factorRange('RandomTranslation', 'heightFactor', heightFactor, -1);
    this.wRange = factorRange('RandomTranslation', 'widthFactor', widthFactor, -1);
    this.heightFactor = heightFactor;
    this.widthFactor = widthFactor;
  }

  protected randomMap(h: number, w: number): Affine {
    const dy = (this.hRange[0] + (this.hRange[1] - this.hRange[0]) * this.rng.uniform()) * h;
    const dx = (this.wRange[0] + (this.wRange[1] - this.wRange[0]) * this.rng.uniform()) * w;
    return [1, 0, -dx, 0, 1, -dy];
  }

  /**
   * The options that rebuild this `RandomTranslation` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }

  /** Rebuilds a `RandomTranslation` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RandomTranslation {
    const { heightFactor, widthFactor, ...args } = config;
    return new RandomTranslation(
      heightFactor as number,
      widthFactor as number,
      args as AffineLayerArgs,
    );
  }
}

registerLayer(RandomTranslation);
