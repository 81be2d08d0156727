import { registerLayer } from '../registry.js';
import { AffineLayer, type AffineLayerArgs } from './affine-layer.js';
import type { Affine } from './image-transform.js';
import { factorRange } from './random-layer.js';

/**
 * Rotates each image by a random angle in factor·[-2π, 2π] (a pair: [lower·2π, upper·2π]) about
 * its centre, in training only. `new RandomRotation(0.05)` rotates by up to ±18°.
 */
export class RandomRotation extends AffineLayer {
  static override className = 'RandomRotation';
  readonly factor: number | readonly [number, number];
  private readonly range: [number, number];

  constructor(factor: number | readonly [number, number], args: AffineLayerArgs = {}) {
    super(args);
    this.range = factorRange('RandomRotation', 'factor', factor);
    this.factor = factor;
  }

  protected randomMap(h: number, w: number): Affine {
    const [lo, hi] = this.range;
    const angle = (lo + (hi - lo) * this.rng.uniform()) * 2 * Math.PI;
    const cos = Math.cos(angle);
    const sin = Math.sin(angle);
    const cx = (w - 1) / 2;
    const cy = (h - 1) / 2;
    // Inverse rotation of the output coordinate about the centre gives the input position.
    return [cos, sin, cx - cos * cx - sin * cy, -sin, cos, cy + sin * cx - cos * cy];
  }

  /**
   * The options that rebuild this `RandomRotation` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: this.factor };
  }

  /** Rebuilds a `RandomRotation` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): RandomRotation {
    const { factor, ...args } = config;
    return new RandomRotation(factor as number, args as AffineLayerArgs);
  }
}

registerLayer(RandomRotation);
