import type { TensorLike } from '../../tensor/create.js';
import { toTensor } from '../../tensor/create.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { reshape } from '../reshape.js';
import { type Pool2DOptions, pair } from './window.js';

/** Options of the 1D pooling ops: window, strides and padding. */
export interface Pool1DOptions {
  poolSize?: number | readonly [number];
  /** Defaults to poolSize. */
  strides?: number | readonly [number];
  padding?: 'valid' | 'same';
}

/** Runs a 2-D pooling op on x [batch, steps, c] seen as [batch, 1, steps, c]. */
export function pool1d(
  op: string,
  xLike: TensorLike,
  options: Pool1DOptions,
  pool2d: (x: Tensor, options: Pool2DOptions) => Tensor,
): Tensor {
  const x = toTensor(xLike);
  if (x.rank !== 3) {
    throw new RangeError(
      `${op}: expected input rank 3 [batch, steps, channels], got ${formatShape(x.shape)}`,
    );
  }
  const [batch, steps, c] = x.shape as [number, number, number];
  const [size] = pair(op, 'poolSize', options.poolSize ?? 2, 1);
  const [stride] = pair(op, 'strides', options.strides ?? size!, 1);
  const padding = options.padding ?? 'valid';
  if (padding === 'valid' && steps < size!) {
    throw new RangeError(
      `${op}: the pool (${size} steps) is longer than the input (${steps} steps) with 'valid' padding`,
    );
  }
  const y = pool2d(reshape(x, [batch, 1, steps, c]), {
    poolSize: [1, size!],
    strides: [1, stride!],
    padding,
  });
  return reshape(y, [batch, y.shape[2]!, c]);
}
