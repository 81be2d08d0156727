import { broadcastedAxes, type Shape, shapesEqual } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { reshape } from '../reshape.js';
import { sum } from '../sum.js';

/** Sums a broadcast gradient back down to `shape`: the backward of NumPy broadcasting. */
export function unbroadcast(dy: Tensor, shape: Shape): Tensor {
  if (shapesEqual(dy.shape, shape)) return dy;
  const axes = broadcastedAxes(shape, dy.shape);
  return reshape(sum(dy, axes), shape);
}
