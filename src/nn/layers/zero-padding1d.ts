import { BaseSpatialEdges, type EdgeSpec, type SpatialEdgesArgs } from './base-spatial-edges.js';
import { registerLayer } from './registry.js';

/** Options of the `ZeroPadding1D` layer. */
export interface ZeroPadding1DArgs extends SpatialEdgesArgs {
  padding?: EdgeSpec;
}

/** Pads the steps of [batch, steps, channels] with zeros: padding 1 or [before, after]. `new ZeroPadding1D({padding: [2, 1]})` */
export class ZeroPadding1D extends BaseSpatialEdges {
  static override className = 'ZeroPadding1D';

  constructor(args: ZeroPadding1DArgs = {}) {
    super(1, 1, 'padding', args.padding ?? 1, args);
  }

  /** The options that rebuild this `ZeroPadding1D` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.edgeConfig() };
  }

  /** Rebuilds a `ZeroPadding1D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): ZeroPadding1D {
    return new ZeroPadding1D(config as ZeroPadding1DArgs);
  }
}

registerLayer(ZeroPadding1D);
