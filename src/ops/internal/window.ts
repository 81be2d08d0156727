import type { Conv2DAttrs, Pool2DAttrs } from '../../backends/kernels.js';
import { formatShape, type Shape } from '../../tensor/shape.js';

/**
 * 'valid' (no padding), 'same' (TF's rule: output = ceil(input / stride), the extra cell of an odd
 * total padding on the bottom/right), or explicit [[top, bottom], [left, right]] zero padding.
 */
export type Padding2D =
  | 'valid'
  | 'same'
  | readonly [readonly [number, number], readonly [number, number]];

/** Options of `conv2d`: strides, padding and dilation. */
export interface Conv2DOptions {
  strides?: number | readonly [number, number];
  padding?: Padding2D;
  dilationRate?: number | readonly [number, number];
}

/** Options of the 2D pooling ops: window, strides and padding. */
export interface Pool2DOptions {
  poolSize?: number | readonly [number, number];
  /** Defaults to poolSize. */
  strides?: number | readonly [number, number];
  padding?: 'valid' | 'same';
}

/** A positive integer, or `length` of them ([height, width] for 2-D windows), as an array. */
export function pair(
  op: string,
  name: string,
  v: number | readonly number[],
  length = 2,
): number[] {
  const p = typeof v === 'number' ? new Array<number>(length).fill(v) : [...v];
  if (p.length !== length || p.some((d) => !Number.isInteger(d) || d < 1)) {
    const shown = typeof v === 'number' ? String(v) : `[${v.join(', ')}]`;
    const what = length === 1 ? 'a positive integer' : `a positive integer or ${length} of them`;
    throw new RangeError(`${op}: ${name} must be ${what}, got ${shown}`);
  }
  return p;
}

function checkPadding(op: string, padding: unknown): void {
  if (padding === 'valid' || padding === 'same') return;
  const ok =
    Array.isArray(padding) &&
    padding.length === 2 &&
    padding.every(
      (p) => Array.isArray(p) && p.length === 2 && p.every((d) => Number.isInteger(d) && d >= 0),
    );
  if (!ok) {
    throw new RangeError(
      `${op}: padding must be 'valid', 'same' or [[top, bottom], [left, right]], got ${JSON.stringify(padding)}`,
    );
  }
}

/** Output size and leading padding along one spatial axis for a window of `extent` input cells. */
function along(
  op: string,
  padding: Padding2D,
  axis: 0 | 1,
  size: number,
  extent: number,
  stride: number,
): { out: number; before: number } {
  if (padding === 'same') {
    const out = Math.ceil(size / stride);
    const total = Math.max((out - 1) * stride + extent - size, 0);
    return { out, before: Math.floor(total / 2) };
  }
  const [before, after] = padding === 'valid' ? [0, 0] : padding[axis];
  const padded = size + before + after;
  if (padded < extent) {
    const what = padding === 'valid' ? 'input' : 'padded input';
    throw new RangeError(
      `${op}: the window (${extent} cells along ${axis === 0 ? 'height' : 'width'}, dilation included) is larger than the ${what} (${padded}); the output would be empty`,
    );
  }
  return { out: Math.floor((padded - extent) / stride) + 1, before };
}

/** Checks a conv2d's shapes and options and derives the kernel geometry. */
export function conv2dAttrs(
  op: string,
  xShape: Shape,
  filterShape: Shape,
  options: Conv2DOptions,
): Conv2DAttrs {
  if (xShape.length !== 4) {
    throw new RangeError(
      `${op}: expected input rank 4 [batch, h, w, channels], got ${formatShape(xShape)}`,
    );
  }
  if (filterShape.length !== 4) {
    throw new RangeError(
      `${op}: expected filter rank 4 [filterH, filterW, inChannels, outChannels], got ${formatShape(filterShape)}`,
    );
  }
  const [batch, inH, inW, inC] = xShape as [number, number, number, number];
  const [filterH, filterW, fInC, outC] = filterShape as [number, number, number, number];
  if (inC !== fInC) {
    throw new RangeError(
      `${op}: input has ${inC} channels but filter expects ${fInC} (${formatShape(filterShape)})`,
    );
  }
  if (filterH < 1 || filterW < 1) {
    throw new RangeError(`${op}: filter ${formatShape(filterShape)} has an empty window`);
  }
  const [strideH, strideW] = pair(op, 'strides', options.strides ?? 1);
  const [dilationH, dilationW] = pair(op, 'dilationRate', options.dilationRate ?? 1);
  const padding = options.padding ?? 'valid';
  checkPadding(op, padding);
  const h = along(op, padding, 0, inH, (filterH - 1) * dilationH! + 1, strideH!);
  const w = along(op, padding, 1, inW, (filterW - 1) * dilationW! + 1, strideW!);
  return {
    batch,
    inH,
    inW,
    inC,
    outH: h.out,
    outW: w.out,
    outC,
    filterH,
    filterW,
    strideH: strideH!,
    strideW: strideW!,
    dilationH: dilationH!,
    dilationW: dilationW!,
    padTop: h.before,
    padLeft: w.before,
  };
}

/** Checks a pool2d's input shape and options and derives the kernel geometry. */
export function pool2dAttrs(op: string, xShape: Shape, options: Pool2DOptions): Pool2DAttrs {
  if (xShape.length !== 4) {
    throw new RangeError(
      `${op}: expected input rank 4 [batch, h, w, channels], got ${formatShape(xShape)}`,
    );
  }
  const [batch, inH, inW, channels] = xShape as [number, number, number, number];
  const [poolH, poolW] = pair(op, 'poolSize', options.poolSize ?? 2);
  const [strideH, strideW] = pair(op, 'strides', options.strides ?? [poolH!, poolW!]);
  const padding = options.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    throw new RangeError(
      `${op}: padding must be 'valid' or 'same', got ${JSON.stringify(padding)}`,
    );
  }
  const h = along(op, padding, 0, inH, poolH!, strideH!);
  const w = along(op, padding, 1, inW, poolW!, strideW!);
  return {
    batch,
    inH,
    inW,
    channels,
    outH: h.out,
    outW: w.out,
    poolH: poolH!,
    poolW: poolW!,
    strideH: strideH!,
    strideW: strideW!,
    padTop: h.before,
    padLeft: w.before,
  };
}

/** The shape of a window op's output, [batch, outH, outW, channels]. */
export function windowOutShape(a: Conv2DAttrs | Pool2DAttrs): number[] {
  return [a.batch, a.outH, a.outW, 'outC' in a ? a.outC : a.channels];
}

/** Throws unless a gradient argument has the shape the forward op produced. */
export function checkGradShape(op: string, name: string, got: Shape, want: Shape): void {
  if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
    throw new RangeError(
      `${op}: ${name} has shape ${formatShape(got)} but the forward op's output is ${formatShape(want)}`,
    );
  }
}
