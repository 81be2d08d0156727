import { cast } from '../../../ops/index.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { oneOf, positiveInt, singleInput, singleShape } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import { perBatch } from './image-transform.js';
import {
  aspectCropBox,
  checkImageRank,
  cropImages,
  padToAspect,
  RESIZE_INTERPOLATIONS,
  type ResizeInterpolation,
  resizeImages,
} from './resize-images.js';

/** Options of the `Resizing` layer (Keras 3's, camelCase). */
export interface ResizingArgs extends LayerArgs {
  /** 'bilinear' (default), 'nearest', 'area' or 'bicubic', as tf.image.resize without antialias. */
  interpolation?: ResizeInterpolation;
  /** Crop the centred window of the target's aspect ratio first, so the image is not distorted. */
  cropToAspectRatio?: boolean;
  /** Pad (with fillValue) to the target's aspect ratio first instead; excludes cropToAspectRatio. */
  padToAspectRatio?: boolean;
  /** Keras's fill_mode: only 'constant'. */
  fillMode?: 'constant';
  /** The value padToAspectRatio pads with (0 by default). */
  fillValue?: number;
  /** Keras's antialias: only false (tf.image.resize's default). */
  antialias?: boolean;
}

/**
 * Resizes images [batch, h, w, c] to [batch, height, width, c] like Keras's Resizing
 * (tf.image.resize, half-pixel centres, no antialias); differentiable with respect to the images.
 * `new Resizing(224, 224, {cropToAspectRatio: true})`
 */
export class Resizing extends Layer {
  static override className = 'Resizing';
  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizeInterpolation;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillValue: number;

  constructor(height: number, width: number, args: ResizingArgs = {}) {
    const {
      interpolation = 'bilinear',
      cropToAspectRatio = false,
      padToAspectRatio = false,
      fillMode = 'constant',
      fillValue = 0,
      antialias = false,
      ...rest
    } = args;
    super(rest);
    if (antialias !== false)
      throw new RangeError(
        'Resizing: antialias=true is not supported (only tf.image.resize without it)',
      );
    this.height = positiveInt('Resizing', 'height', height);
    this.width = positiveInt('Resizing', 'width', width);
    this.interpolation = oneOf('Resizing', 'interpolation', interpolation, RESIZE_INTERPOLATIONS);
    oneOf('Resizing', 'fillMode', fillMode, ['constant']);
    if (cropToAspectRatio && padToAspectRatio)
      throw new RangeError('Resizing: cropToAspectRatio and padToAspectRatio cannot both be true');
    if (typeof fillValue !== 'number' || !Number.isFinite(fillValue))
      throw new RangeError(`Resizing: fillValue must be a finite number, got ${String(fillValue)}`);
    this.cropToAspectRatio = cropToAspectRatio;
    this.padToAspectRatio = padToAspectRatio;
    this.fillValue = fillValue;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    let x = singleInput(this, inputs);
    checkImageRank(this, x.shape);
    if (x.dtype !== 'float32') x = cast(x, 'float32');
    return perBatch(x, (b) => {
      let y = b;
      if (this.cropToAspectRatio) {
        const [top, left, h, w] = aspectCropBox(b.shape[1]!, b.shape[2]!, this.height, this.width);
        y = cropImages(b, top, left, h, w);
      } else if (this.padToAspectRatio) {
        y = padToAspect(b, this.height, this.width, this.fillValue);
      }
      return resizeImages(y, this.height, this.width, this.interpolation);
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    checkImageRank(this, s);
    return [...s.slice(0, -3), this.height, this.width, s.at(-1)!];
  }

  /** The options that rebuild this `Resizing` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      cropToAspectRatio: this.cropToAspectRatio,
      padToAspectRatio: this.padToAspectRatio,
      fillMode: 'constant',
      fillValue: this.fillValue,
    };
  }

  /** Rebuilds a `Resizing` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Resizing {
    const { height, width, ...args } = config;
    return new Resizing(height as number, width as number, args as ResizingArgs);
  }
}

registerLayer(Resizing);

export type { ResizeInterpolation } from './resize-images.js';
