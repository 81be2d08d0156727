import { noGrad } from '../../autograd/tape.js';
import { tensor } from '../../tensor/create.js';
import { checkDType } from '../../tensor/dtype.js';
import { formatShape, normalizeAxis } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import { add } from '../add.js';
import { clipByValue } from '../clip-by-value.js';
import { div } from '../div.js';
import { greaterEqual } from '../greater-equal.js';
import { lessEqual } from '../less-equal.js';
import { logicalAnd } from '../logical-and.js';
import { mul } from '../mul.js';
import { round } from '../round.js';
import { sub } from '../sub.js';

/** Checks the integer grid [quantMin, quantMax] shared by the fake-quantization ops. */
export function checkQuantRange(op: string, quantMin: number, quantMax: number): void {
  if (!Number.isInteger(quantMin) || !Number.isInteger(quantMax) || !(quantMin < quantMax))
    throw new RangeError(
      `${op}: quantMin and quantMax must be integers with quantMin < quantMax, got ${quantMin} and ${quantMax}`,
    );
}

/** Checks x (float32) and resolves `axis`; returns the shape a per-channel [C] parameter takes to broadcast. */
export function channelShape(op: string, x: Tensor, axis: number | undefined): number[] | null {
  checkDType(op, 'x', x.dtype, ['float32']);
  if (axis === undefined) return null;
  if (!Number.isInteger(axis) || x.rank === 0)
    throw new RangeError(
      `${op}: axis must be an integer axis of x ${formatShape(x.shape)}, got ${axis}`,
    );
  const a = normalizeAxis(op, axis, x.rank);
  return x.shape.map((d, i) => (i === a ? d : 1));
}

/** The float32 view of one or C scales as a tensor of `shape` (null: a scalar). */
export function paramTensor(values: readonly number[], shape: number[] | null): Tensor {
  return tensor(Float32Array.from(values), shape ?? []);
}

/**
 * The unclamped integer of each element, r = roundHalfEven(f32(x / scale)) + zeroPoint, in float32
 * (exact: integers below 2^24); the project's quantization rule, as `quantizedMatMul`'s.
 */
export function gridIndex(x: Tensor, scale: Tensor, zeroPoint: Tensor): Tensor {
  return noGrad(() => add(round(div(x, scale)), zeroPoint));
}

/** (clamp(r, quantMin, quantMax) - zeroPoint) · scale: the dequantized value, in float32. */
export function dequantizeGrid(
  r: Tensor,
  scale: Tensor,
  zeroPoint: Tensor,
  quantMin: number,
  quantMax: number,
): Tensor {
  return noGrad(() => mul(sub(clipByValue(r, quantMin, quantMax), zeroPoint), scale));
}

/** True where r lies on the grid, quantMin <= r <= quantMax: where the estimator passes dy. */
export function inRange(r: Tensor, quantMin: number, quantMax: number): Tensor {
  return logicalAnd(greaterEqual(r, quantMin), lessEqual(r, quantMax));
}
