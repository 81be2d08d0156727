import { getRng, type Rng } from '../random/rng.js';
import { bernoulli } from '../random/tensors.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { mul } from './mul.js';

/** Options of `dropout`. */
export interface DropoutOptions {
  /**
   * Shape of the random keep mask, broadcast over x: same rank as x, each entry 1 or x's size
   * (null means x's size). `[batch, 1, channels]` drops whole channels of a sequence.
   */
  noiseShape?: readonly (number | null)[];
  /** The generator to draw the mask from (default: the global one). */
  rng?: Rng;
}

/**
 * Inverted dropout: each element is zeroed with probability `rate` and the rest scaled by
 * 1 / (1 - rate), so the expected value is unchanged. `dropout(x, 0.5)`
 * Gradient: dy times the same mask.
 */
export function dropout(xLike: TensorLike, rate: number, options: DropoutOptions = {}): Tensor {
  const x = toTensor(xLike);
  checkDType('dropout', 'x', x.dtype, ['float32']);
  if (!(rate >= 0 && rate < 1))
    throw new RangeError(`dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  const noiseShape = options.noiseShape?.map((d, i) => d ?? x.shape[i]!) ?? x.shape;
  if (noiseShape.length !== x.rank || noiseShape.some((d, i) => d !== 1 && d !== x.shape[i])) {
    throw new RangeError(
      `dropout: noiseShape ${formatShape(noiseShape)} does not broadcast to input shape ${formatShape(x.shape)}`,
    );
  }
  const keep = bernoulli(noiseShape, 1 - rate, { rng: options.rng ?? getRng() });
  return mul(x, mul(keep, 1 / (1 - rate)));
}
