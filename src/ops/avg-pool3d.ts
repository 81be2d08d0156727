import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { avgPool2d } from './avg-pool2d.js';
import { type Pool3DOptions, pool3d } from './internal/pool3d.js';
import { mean } from './mean.js';

/**
 * The mean of each poolSize [pd, ph, pw] window, moved by strides, per channel, on NDHWC data
 * (with 'same' padding, over the cells inside the input, as TF): x [batch, d, h, w, c] →
 * [batch, d', h', w', c]. Runs `avgPool2d` on every depth plane, then the mean over each depth
 * window. `avgPool3d(x, {poolSize: 2})`
 */
export function avgPool3d(xLike: TensorLike, options: Pool3DOptions = {}): Tensor {
  return pool3d('avgPool3d', xLike, options, avgPool2d, (w) => mean(w, 1));
}
