import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { type Pool1DOptions, pool1d } from './internal/pool1d.js';
import { maxPool2d } from './max-pool2d.js';

export type { Pool1DOptions } from './internal/pool1d.js';

/**
 * The maximum of each window of poolSize steps: x [batch, steps, c] -> [batch, outSteps, c].
 * `maxPool1d(x, { poolSize: 2 })`
 */
export function maxPool1d(x: TensorLike, options: Pool1DOptions = {}): Tensor {
  return pool1d('maxPool1d', x, options, maxPool2d);
}
