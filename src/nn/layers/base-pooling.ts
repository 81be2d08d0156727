import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import { formatSymbolicShape, type SymbolicShape } from '../engine/symbolic-tensor.js';
import {
  checkDataFormat,
  convOutputLength,
  layerLabel,
  normalizeTuple,
  oneOf,
  singleInput,
  singleShape,
} from './internal/args.js';

/** The options of a pooling layer besides the window size. */
export interface PoolingArgs extends LayerArgs {
  /** Step of the window; the pool size by default. */
  strides?: number | readonly number[] | null;
  padding?: 'valid' | 'same';
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
}

/** Pooling options that may also carry the window size (`new MaxPooling2D({poolSize: 3})`). */
export interface PoolingArgsWithSize extends PoolingArgs {
  poolSize?: number | readonly number[];
}

/** Splits Keras's positional poolSize from the options, accepting the options object alone too. */
export function poolingArgs(
  poolSize: number | readonly number[] | PoolingArgsWithSize | undefined,
  args: PoolingArgsWithSize,
  fallback: number | readonly number[],
): [number | readonly number[], PoolingArgs] {
  if (poolSize !== undefined && typeof poolSize === 'object' && !Array.isArray(poolSize)) {
    const { poolSize: size, ...rest } = poolSize as PoolingArgsWithSize;
    return [size ?? fallback, rest];
  }
  const { poolSize: _ignored, ...rest } = args;
  return [(poolSize as number | readonly number[] | undefined) ?? fallback, rest];
}

/**
 * The shared body of the windowed pooling layers (Keras's BasePooling): window and stride checks,
 * output shapes and config; subclasses give the op that pools.
 */
export abstract class BasePooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: 'valid' | 'same';
  readonly dataFormat = 'channels_last';

  protected constructor(
    readonly spatialRank: number,
    poolSize: number | readonly number[],
    args: PoolingArgs,
  ) {
    super(args);
    const cls = (this.constructor as typeof Layer).className;
    this.poolSize = normalizeTuple(cls, 'poolSize', poolSize, spatialRank);
    this.strides = normalizeTuple(cls, 'strides', args.strides ?? this.poolSize, spatialRank);
    this.padding = oneOf(cls, 'padding', args.padding ?? 'valid', ['valid', 'same'] as const);
    checkDataFormat(cls, args.dataFormat);
  }

  /** The pooling op on x [batch, ...spatial, channels]. */
  protected abstract pool(x: Tensor): Tensor;

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    return this.pool(x);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== this.spatialRank + 2) {
      const spatial = ['steps', 'height, width', 'depth, height, width'][this.spatialRank - 1];
      throw this.shapeError(`(None, ${spatial}, channels)`, shape);
    }
    const spatial = shape
      .slice(1, -1)
      .map((d, i) => convOutputLength(d, this.poolSize[i]!, this.padding, this.strides[i]!));
    if (spatial.some((d) => d !== null && d <= 0)) {
      throw new RangeError(
        `${layerLabel(this)}: input ${formatSymbolicShape(shape)} is smaller than poolSize ${JSON.stringify(this.poolSize)} with padding 'valid'`,
      );
    }
    return [shape[0]!, ...spatial, shape.at(-1)!];
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      poolSize: this.poolSize,
      strides: this.strides,
      padding: this.padding,
      dataFormat: this.dataFormat,
    };
  }
}
