import type { TensorLike } from '../tensor/create.js';
import type { Tensor } from '../tensor/tensor.js';
import { avgPool2d } from './avg-pool2d.js';
import { type Pool1DOptions, pool1d } from './internal/pool1d.js';

/**
 * The mean of each window of poolSize steps ('same' padding averages only the steps inside the
 * input): x [batch, steps, c] -> [batch, outSteps, c]. `avgPool1d(x, { poolSize: 3, strides: 1 })`
 */
export function avgPool1d(x: TensorLike, options: Pool1DOptions = {}): Tensor {
  return pool1d('avgPool1d', x, options, avgPool2d);
}
