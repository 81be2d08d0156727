import { cast } from '../../../ops/index.js';
import type { Tensor } from '../../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { positiveInt, singleInput, singleShape } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import { perBatch } from './image-transform.js';
import { aspectCropBox, checkImageRank, cropImages, resizeImages } from './resize-images.js';

/**
 * Crops the centre height × width window of images [batch, h, w, c] (top = trunc((h - height) / 2)),
 * at inference and in training alike. An image smaller than the target on either axis is resized
 * instead, as Keras: the largest centred window of the target's aspect ratio, bilinear.
 * `new CenterCrop(224, 224)`
 */
export class CenterCrop extends Layer {
  static override className = 'CenterCrop';
  readonly height: number;
  readonly width: number;

  constructor(height: number, width: number, args: LayerArgs = {}) {
    super(args);
    this.height = positiveInt('CenterCrop', 'height', height);
    this.width = positiveInt('CenterCrop', 'width', width);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    let x = singleInput(this, inputs);
    checkImageRank(this, x.shape);
    if (x.dtype !== 'float32') x = cast(x, 'float32');
    return perBatch(x, (b) => {
      const [h, w] = [b.shape[1]!, b.shape[2]!];
      if (h >= this.height && w >= this.width)
        return cropImages(
          b,
          Math.trunc((h - this.height) / 2),
          Math.trunc((w - this.width) / 2),
          this.height,
          this.width,
        );
      const [top, left, ch, cw] = aspectCropBox(h, w, this.height, this.width);
      return resizeImages(cropImages(b, top, left, ch, cw), this.height, this.width, 'bilinear');
    });
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    checkImageRank(this, s);
    return [...s.slice(0, -3), this.height, this.width, s.at(-1)!];
  }

  /** The options that rebuild this `CenterCrop` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height: this.height, width: this.width };
  }

  /** Rebuilds a `CenterCrop` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): CenterCrop {
    const { height, width, ...args } = config;
    return new CenterCrop(height as number, width as number, args as LayerArgs);
  }
}

registerLayer(CenterCrop);
