import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { pair } from './window.js';

/** Options of the 3-D windowed ops on NDHWC data (depth, height, width). */
export interface Window3DOptions {
  strides?: number | readonly [number, number, number];
  padding?: 'valid' | 'same';
}

/** The checked strides and padding of a 3-D op, and x's [batch, d, h, w, c]. */
export function window3d(
  op: string,
  x: Tensor,
  options: Window3DOptions,
  defaultStrides: number | readonly number[],
) {
  if (x.rank !== 5)
    throw new RangeError(
      `${op}: expected input rank 5 [batch, depth, height, width, channels], got ${formatShape(x.shape)}`,
    );
  const strides = pair(op, 'strides', options.strides ?? defaultStrides, 3);
  const padding = options.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same')
    throw new RangeError(`${op}: padding must be 'valid' or 'same', got ${String(padding)}`);
  return { strides: strides as [number, number, number], padding, dims: x.shape as number[] };
}

/**
 * The depth windows of a 3-D op (TF's rule): output length, and the padding before the first
 * window. `span` is the window's effective extent ((k - 1) · dilation + 1).
 */
export function depthWindows(
  op: string,
  depth: number,
  span: number,
  stride: number,
  padding: 'valid' | 'same',
): { outDepth: number; padBefore: number; padAfter: number } {
  if (padding === 'valid') {
    const outDepth = Math.floor((depth - span) / stride) + 1;
    if (outDepth <= 0)
      throw new RangeError(
        `${op}: the window spans ${span} depth steps, more than the input's ${depth}, with 'valid' padding`,
      );
    return { outDepth, padBefore: 0, padAfter: 0 };
  }
  const outDepth = Math.ceil(depth / stride);
  const total = Math.max((outDepth - 1) * stride + span - depth, 0);
  const padBefore = Math.floor(total / 2);
  return { outDepth, padBefore, padAfter: total - padBefore };
}
