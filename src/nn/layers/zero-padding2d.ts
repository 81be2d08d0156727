import { BaseSpatialEdges, type EdgeSpec, type SpatialEdgesArgs } from './base-spatial-edges.js';
import { registerLayer } from './registry.js';

/** Options of the `ZeroPadding2D` layer. */
export interface ZeroPadding2DArgs extends SpatialEdgesArgs {
  padding?: EdgeSpec;
}

/** Pads the height and width of NHWC images with zeros: padding 1, [h, w] or [[top, bottom], [left, right]]. `new ZeroPadding2D({padding: 1})` */
export class ZeroPadding2D extends BaseSpatialEdges {
  static override className = 'ZeroPadding2D';

  constructor(args: ZeroPadding2DArgs = {}) {
    super(2, 1, 'padding', args.padding ?? 1, args);
  }

  /** The options that rebuild this `ZeroPadding2D` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.edgeConfig() };
  }

  /** Rebuilds a `ZeroPadding2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): ZeroPadding2D {
    return new ZeroPadding2D(config as ZeroPadding2DArgs);
  }
}

registerLayer(ZeroPadding2D);
