import { broadcastTo, matMul, reshape, transpose } from '../../ops/index.js';
import { tensor } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import {
  checkDataFormat,
  normalizeTuple,
  oneOf,
  singleInput,
  singleShape,
} from './internal/args.js';
import { registerLayer } from './registry.js';

/** How `UpSampling2D` fills the new pixels. */
export type UpSamplingInterpolation = 'nearest' | 'bilinear';

/** Options of the `UpSampling2D` layer. */
export interface UpSampling2DArgs extends LayerArgs {
  /** Factors for height and width (2 by default). */
  size?: number | readonly number[];
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
  /** 'nearest' (repeat rows and columns, the default) or 'bilinear' (half-pixel centers). */
  interpolation?: UpSamplingInterpolation;
  /**
   * Bilinear only: sample at half-pixel centers, as Keras (true, the default); false is
   * TensorFlow.js's UpSampling2D, which samples at source = i / factor (set when loading tfjs files).
   */
  halfPixelCenters?: boolean;
}

/**
 * The [outLen, inLen] matrix of 1-D linear interpolation with half-pixel centers (TensorFlow's
 * resize_bilinear, Keras's): source = (i + 0.5) / factor - 0.5, clamped to the edges; without them
 * (tfjs's resizeBilinear default): source = i / factor.
 */
function linearWeights(inLen: number, factor: number, halfPixel: boolean): Tensor {
  const outLen = inLen * factor;
  const w = new Float32Array(outLen * inLen);
  for (let i = 0; i < outLen; i++) {
    const src = halfPixel ? Math.max((i + 0.5) / factor - 0.5, 0) : i / factor;
    const lo = Math.min(Math.floor(src), inLen - 1);
    const hi = Math.min(lo + 1, inLen - 1);
    const t = src - lo;
    w[i * inLen + lo]! += 1 - t;
    w[i * inLen + hi]! += t;
  }
  return tensor(w, [outLen, inLen]);
}

/** Interpolates axis 1 of x [b, n, m, c] with the [n·f, n] weights: one matrix product. */
function resizeAxis1(x: Tensor, factor: number, halfPixel: boolean): Tensor {
  const [b, n, m, c] = x.shape as [number, number, number, number];
  const rows = reshape(transpose(x, [1, 0, 2, 3]), [n, b * m * c]);
  const y = reshape(matMul(linearWeights(n, factor, halfPixel), rows), [n * factor, b, m, c]);
  return transpose(y, [1, 0, 2, 3]);
}

/**
 * Upsamples NHWC images by integer factors: [b, h, w, c] → [b, h·sh, w·sw, c], by repeating
 * pixels ('nearest') or by bilinear interpolation, as Keras's UpSampling2D.
 * `new UpSampling2D({size: 2, interpolation: 'bilinear'})`
 */
export class UpSampling2D extends Layer {
  static override className = 'UpSampling2D';
  readonly size: number[];
  readonly dataFormat = 'channels_last';
  readonly interpolation: UpSamplingInterpolation;
  readonly halfPixelCenters: boolean;

  constructor(args: UpSampling2DArgs = {}) {
    const {
      size = 2,
      dataFormat,
      interpolation = 'nearest',
      halfPixelCenters = true,
      ...rest
    } = args;
    super(rest);
    this.size = normalizeTuple('UpSampling2D', 'size', size, 2);
    checkDataFormat('UpSampling2D', dataFormat);
    this.interpolation = oneOf('UpSampling2D', 'interpolation', interpolation, [
      'nearest',
      'bilinear',
    ]);
    if (typeof halfPixelCenters !== 'boolean')
      throw new TypeError(
        `UpSampling2D: halfPixelCenters must be true or false, got ${String(halfPixelCenters)}`,
      );
    this.halfPixelCenters = halfPixelCenters;
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const out = this.computeOutputShape(x.shape) as number[];
    const [b, h, w, c] = x.shape as [number, number, number, number];
    const [sh, sw] = this.size as [number, number];
    if (this.interpolation === 'nearest') {
      const grid = broadcastTo(reshape(x, [b, h, 1, w, 1, c]), [b, h, sh, w, sw, c]);
      return reshape(grid, out);
    }
    // Separable: interpolate the rows, then (with the axes swapped) the columns.
    const half = this.halfPixelCenters;
    const rows = resizeAxis1(x, sh, half);
    return transpose(resizeAxis1(transpose(rows, [0, 2, 1, 3]), sw, half), [0, 2, 1, 3]);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== 4) throw this.shapeError('(None, height, width, channels)', shape);
    const [b, h, w, c] = shape;
    const [sh, sw] = this.size as [number, number];
    return [b!, h === null ? null : h! * sh, w === null ? null : w! * sw, c!];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      size: this.size,
      dataFormat: this.dataFormat,
      interpolation: this.interpolation,
      // Keras has no such argument: written only for tfjs's variant, so Keras configs stay Keras's.
      ...(this.halfPixelCenters ? {} : { halfPixelCenters: false }),
    };
  }

  /** Rebuilds an `UpSampling2D` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): UpSampling2D {
    return new UpSampling2D(config as UpSampling2DArgs);
  }
}

registerLayer(UpSampling2D);
