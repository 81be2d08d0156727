import { BaseSpatialEdges, type EdgeSpec, type SpatialEdgesArgs } from './base-spatial-edges.js';
import { registerLayer } from './registry.js';

/** Options of the `Cropping2D` layer. */
export interface Cropping2DArgs extends SpatialEdgesArgs {
  cropping?: EdgeSpec;
}

/** Removes rows and columns at the edges of NHWC images: cropping 0, [h, w] or [[top, bottom], [left, right]]. `new Cropping2D({cropping: [[2, 2], [1, 1]]})` */
export class Cropping2D extends BaseSpatialEdges {
  static override className = 'Cropping2D';

  constructor(args: Cropping2DArgs = {}) {
    super(2, -1, 'cropping', args.cropping ?? 0, args);
  }

  /** The options that rebuild this `Cropping2D` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.edgeConfig() };
  }

  /** Rebuilds a `Cropping2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Cropping2D {
    return new Cropping2D(config as Cropping2DArgs);
  }
}

registerLayer(Cropping2D);
