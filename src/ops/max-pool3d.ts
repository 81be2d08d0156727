import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Pool3DOptions, pool3d } from './internal/pool3d.js';
import { max } from './max.js';
import { maxPool2d } from './max-pool2d.js';

export type { Pool3DOptions } from './internal/pool3d.js';

/**
 * The maximum of each poolSize [pd, ph, pw] window, moved by strides, per channel, on NDHWC data:
 * x [batch, d, h, w, c] → [batch, d', h', w', c]. Runs `maxPool2d` on every depth plane, then
 * the maximum over each depth window. `maxPool3d(x, {poolSize: 2})`
 */
export function maxPool3d(xLike: TensorLike, options: Pool3DOptions = {}): Tensor {
  return pool3d('maxPool3d', xLike, options, maxPool2d, (w) => max(w, 1));
}
