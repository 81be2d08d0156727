import type { Tensor } from '../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../engine/layer.js';
import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { checkDataFormat, singleInput, singleShape } from './internal/args.js';

export interface GlobalPoolingArgs extends LayerArgs {
  /** Keep the pooled spatial axes as size 1: [batch, 1, 1, c] instead of [batch, c]. */
  keepdims?: boolean;
  /** Only 'channels_last' is supported. */
  dataFormat?: 'channels_last';
}

/**
 * The shared body of the global pooling layers: reduce every spatial axis of
 * x [batch, ...spatial, channels]; subclasses give the reduction.
 */
export abstract class BaseGlobalPooling extends Layer {
  readonly keepdims: boolean;
  readonly dataFormat = 'channels_last';

  protected constructor(
    readonly spatialRank: number,
    args: GlobalPoolingArgs,
  ) {
    super(args);
    checkDataFormat((this.constructor as typeof Layer).className, args.dataFormat);
    this.keepdims = args.keepdims ?? false;
  }

  /** Reduces `axes` of x, keeping them as size 1 when `keepDims`. */
  protected abstract reduce(x: Tensor, axes: number[], keepDims: boolean): Tensor;

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.computeOutputShape(x.shape);
    const axes = Array.from({ length: this.spatialRank }, (_, i) => i + 1);
    return this.reduce(x, axes, this.keepdims);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    if (shape.length !== this.spatialRank + 2) {
      const spatial = ['steps', 'height, width', 'depth, height, width'][this.spatialRank - 1];
      throw this.shapeError(`(None, ${spatial}, channels)`, shape);
    }
    const ones = new Array<number>(this.spatialRank).fill(1);
    return this.keepdims ? [shape[0]!, ...ones, shape.at(-1)!] : [shape[0]!, shape.at(-1)!];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), dataFormat: this.dataFormat, keepdims: this.keepdims };
  }
}
