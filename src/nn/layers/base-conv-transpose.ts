import type { SymbolicShape } from '../engine/symbolic-tensor.js';
import { BaseConv, type ConvArgs } from './base-conv.js';
import { singleShape } from './internal/args.js';
import { type TransposeAxis, transposeAxis } from './internal/conv-transpose.js';

export interface ConvTransposeArgs extends ConvArgs {
  padding?: 'valid' | 'same';
  /** Extra cells at the end of each spatial axis, each below its stride; null: Keras's default. */
  outputPadding?: number | readonly number[] | null;
}

/**
 * Checks outputPadding (< stride, Keras's rule) and returns it per axis, or null.
 */
export function checkOutputPadding(
  cls: string,
  value: ConvTransposeArgs['outputPadding'],
  strides: readonly number[],
  dilation: readonly number[],
): number[] | null {
  if (value === null || value === undefined) return null;
  const list = typeof value === 'number' ? strides.map(() => value) : [...value];
  if (
    list.length !== strides.length ||
    list.some((p, i) => !Number.isInteger(p) || p < 0 || (p >= strides[i]! && p >= dilation[i]!))
  )
    throw new RangeError(
      `${cls}: outputPadding must be ${strides.length === 1 ? 'an integer' : `${strides.length} integers`} >= 0 and below the stride (${JSON.stringify(strides)}), got ${JSON.stringify(value)}`,
    );
  return list;
}

/**
 * The shared body of Conv1DTranspose and Conv2DTranspose: Keras's kernel layout
 * [...kernelSize, filters, in], outputPadding, and the output lengths of Keras's rule.
 */
export abstract class BaseConvTranspose extends BaseConv {
  readonly outputPadding: number[] | null;

  protected constructor(
    spatialRank: number,
    filters: number,
    kernelSize: number | readonly number[],
    args: ConvTransposeArgs,
  ) {
    const { outputPadding, ...rest } = args;
    super(spatialRank, ['valid', 'same'], filters, kernelSize, rest);
    const cls = (this.constructor as typeof BaseConv).className;
    this.outputPadding = checkOutputPadding(cls, outputPadding, this.strides, this.dilationRate);
  }

  /** Per spatial axis: output length and padding of the forward convolution. */
  protected axes(spatial: readonly (number | null)[]): (TransposeAxis | null)[] {
    return spatial.map((d, i) =>
      d === null
        ? null
        : transposeAxis(
            d,
            this.kernelSize[i]!,
            this.strides[i]!,
            this.dilationRate[i]!,
            this.padding as 'valid' | 'same',
            this.outputPadding?.[i] ?? null,
          ),
    );
  }

  protected override kernelShape(inChannels: number): number[] {
    return [...this.kernelSize, this.filters, inChannels];
  }

  /**
   * The output shape for an input shape: each spatial size grown by the stride (Keras's transposed-
   * convolution lengths), `filters` channels.
   */
  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const shape = singleShape(this, inputShape);
    const channels = this.kernel?.shape.at(-1) ?? null;
    if (shape.length !== this.spatialRank + 2 || (channels !== null && shape.at(-1) !== channels))
      throw this.shapeError(
        `(None, ${this.spatialRank === 1 ? 'steps' : 'height, width'}, ${channels ?? 'channels'})`,
        shape,
      );
    const axes = this.axes(shape.slice(1, -1));
    return [shape[0]!, ...axes.map((a) => a?.out ?? null), this.filters];
  }

  /**
   * The options that rebuild this `BaseConvTranspose` with `fromConfig` (what serialization saves).
   */
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), outputPadding: this.outputPadding };
  }
}
