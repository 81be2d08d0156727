import { cast } from '../../ops/cast.js';
import { div } from '../../ops/div.js';
import { mul } from '../../ops/mul.js';
import { reshape } from '../../ops/reshape.js';
import { sum } from '../../ops/sum.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/**
 * Σ losses · sampleWeight / divisor (divisor: the number of loss values unless given), Keras's
 * 'sum_over_batch_size'. Weights of shape [batch] broadcast over the losses' trailing axes;
 * [batch, 1] weights for [batch] losses are accepted too. An empty batch gives 0.
 */
export function reduceWeighted(
  name: string,
  losses: Tensor,
  sampleWeight?: Tensor,
  divisor = losses.size,
): Tensor {
  let weighted = losses;
  if (sampleWeight !== undefined) {
    let w = cast(sampleWeight, 'float32');
    const shape = [...w.shape];
    while (shape.length > losses.rank && shape[shape.length - 1] === 1) shape.pop();
    const compatible =
      shape.length <= losses.rank && shape.every((d, i) => d === losses.shape[i] || d === 1);
    if (!compatible) {
      throw new RangeError(
        `${name}: sampleWeight shape ${formatShape(sampleWeight.shape)} does not match the per-sample losses of shape ${formatShape(losses.shape)} (expected [batch] = [${losses.shape[0] ?? ''}])`,
      );
    }
    while (shape.length < losses.rank) shape.push(1);
    if (shape.length !== w.rank || shape.some((d, i) => d !== w.shape[i])) w = reshape(w, shape);
    weighted = mul(losses, w);
  }
  const total = sum(weighted);
  return divisor === 0 ? total : div(total, divisor);
}
