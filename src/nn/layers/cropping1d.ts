import { BaseSpatialEdges, type EdgeSpec, type SpatialEdgesArgs } from './base-spatial-edges.js';
import { registerLayer } from './registry.js';

/** Options of the `Cropping1D` layer. */
export interface Cropping1DArgs extends SpatialEdgesArgs {
  cropping?: EdgeSpec;
}

/** Removes steps at both ends of [batch, steps, channels]: cropping 1 or [before, after]. `new Cropping1D({cropping: [1, 2]})` */
export class Cropping1D extends BaseSpatialEdges {
  static override className = 'Cropping1D';

  constructor(args: Cropping1DArgs = {}) {
    super(1, -1, 'cropping', args.cropping ?? 1, args);
  }

  /** The options that rebuild this `Cropping1D` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.edgeConfig() };
  }

  /** Rebuilds a `Cropping1D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Cropping1D {
    return new Cropping1D(config as Cropping1DArgs);
  }
}

registerLayer(Cropping1D);
