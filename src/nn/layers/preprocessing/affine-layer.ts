import type { Tensor } from '../../../tensor/tensor.js';
import { oneOf } from '../internal/args.js';
import {
  type Affine,
  affineTransform,
  FILL_MODES,
  type FillMode,
  INTERPOLATIONS,
  type Interpolation,
  perBatch,
} from './image-transform.js';
import { RandomLayer, type RandomLayerArgs } from './random-layer.js';

export interface AffineLayerArgs extends RandomLayerArgs {
  /** How points outside the image are filled: 'reflect' (default), 'wrap', 'constant', 'nearest'. */
  fillMode?: FillMode;
  /** 'bilinear' (default) or 'nearest'. */
  interpolation?: Interpolation;
  /** The value for fillMode 'constant' (default 0). */
  fillValue?: number;
}

/** The shared part of RandomRotation, RandomTranslation and RandomZoom: one random affine map per image. */
export abstract class AffineLayer extends RandomLayer {
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly fillValue: number;

  constructor(args: AffineLayerArgs) {
    super(args);
    const name = (this.constructor as unknown as { className: string }).className;
    this.fillMode = oneOf(name, 'fillMode', args.fillMode ?? 'reflect', FILL_MODES);
    this.interpolation = oneOf(
      name,
      'interpolation',
      args.interpolation ?? 'bilinear',
      INTERPOLATIONS,
    );
    this.fillValue = args.fillValue ?? 0;
  }

  /** The map for one image of size h × w (output pixel → input position). */
  protected abstract randomMap(h: number, w: number): Affine;

  protected override augment(x: Tensor): Tensor {
    this.checkImages(x);
    return perBatch(x, (b) => {
      const [n, h, w] = b.shape as [number, number, number];
      const maps = Array.from({ length: n }, () => this.randomMap(h, w));
      return affineTransform(b, maps, this.fillMode, this.interpolation, this.fillValue);
    });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      fillMode: this.fillMode,
      interpolation: this.interpolation,
      fillValue: this.fillValue,
    };
  }
}
