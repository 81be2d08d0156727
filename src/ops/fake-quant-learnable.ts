import { noGrad, record } from '../autograd/tape.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';
import { clipByValue } from './clip-by-value.js';
import { div } from './div.js';
import { greater } from './greater.js';
import {
  channelShape,
  checkQuantRange,
  dequantizeGrid,
  gridIndex,
  inRange,
} from './internal/fake-quant.js';
import { less } from './less.js';
import { mul } from './mul.js';
import { neg } from './neg.js';
import { reshape } from './reshape.js';
import { round } from './round.js';
import { sub } from './sub.js';
import { sum } from './sum.js';
import { where } from './where.js';

/** Options of `fakeQuantLearnable`: the integer grid and the per-channel axis. */
export interface FakeQuantLearnableOptions {
  quantMin: number;
  quantMax: number;
  /** Per-channel along this axis of x (scale and zeroPoint then have shape [x.shape[axis]]). */
  axis?: number;
  /** Multiplies the scale and zero-point gradients; default LSQ's 1 / sqrt(x.size · quantMax). */
  gradFactor?: number;
}

const OP = 'fakeQuantLearnable';

/**
 * Fake quantization with learned ranges (LSQ, Esser et al. 2020; PyTorch's
 * _fake_quantize_learnable_per_tensor_affine / _per_channel_affine). scale and zeroPoint are
 * float32 tensors of shape [1] (or []) per tensor, [C] per channel of `axis`; the forward pass is
 * `fakeQuant` with zeroPoint rounded half to even and clamped to [quantMin, quantMax].
 * Gradients, with r = roundHalfEven(x / scale) + z and g = gradFactor: dx = dy inside the grid
 * (straight-through), 0 outside; dscale = g·Σ dy·((y - x) / scale) inside, g·Σ dy·(quantMin - z)
 * below, g·Σ dy·(quantMax - z) above; dzeroPoint = g·Σ dy·(-scale) outside the grid, 0 inside.
 * `fakeQuantLearnable(x, scaleVar, zeroPointVar, { quantMin: 0, quantMax: 255 })`
 */
export function fakeQuantLearnable(
  xLike: TensorLike,
  scaleLike: TensorLike,
  zeroPointLike: TensorLike,
  options: FakeQuantLearnableOptions,
): Tensor {
  const x = toTensor(xLike);
  const scale = toTensor(scaleLike);
  const zeroPoint = toTensor(zeroPointLike);
  const { quantMin, quantMax, axis } = options;
  checkQuantRange(OP, quantMin, quantMax);
  const shape = channelShape(OP, x, axis);
  checkDType(OP, 'scale', scale.dtype, ['float32']);
  checkDType(OP, 'zeroPoint', zeroPoint.dtype, ['float32']);
  const channels = shape ? shape.reduce((a, b) => a * b, 1) : 1;
  for (const [name, p] of [
    ['scale', scale],
    ['zeroPoint', zeroPoint],
  ] as const) {
    if (p.size !== channels || p.rank > 1)
      throw new RangeError(
        `${OP}: expected ${name} [${channels}] for x ${formatShape(x.shape)}${axis === undefined ? ' per tensor' : ` along axis ${axis}`}, got ${formatShape(p.shape)}`,
      );
  }
  for (const s of scale.data)
    if (!(Number.isFinite(s) && s > 0))
      throw new RangeError(`${OP}: scale must be finite and > 0, got ${s}`);
  const gradFactor = options.gradFactor ?? 1 / Math.sqrt(x.size * quantMax);
  if (!Number.isFinite(gradFactor))
    throw new RangeError(`${OP}: gradFactor must be finite, got ${gradFactor}`);
  const view = (p: Tensor) => new Tensor(p.data, shape ?? [], p.dtype);
  const s = view(scale);
  const z = noGrad(() => clipByValue(round(view(zeroPoint)), quantMin, quantMax));
  const r = gridIndex(x, s, z);
  const y = dequantizeGrid(r, s, z, quantMin, quantMax);
  // Sums a per-element gradient over everything but the channel axis, to the parameter's shape.
  const kept = axis === undefined ? -1 : (axis + x.rank) % x.rank;
  const others = x.shape.map((_, i) => i).filter((i) => i !== kept);
  const reduceTo = (t: Tensor, p: Tensor) =>
    reshape(mul(others.length > 0 ? sum(t, others) : t, gradFactor), p.shape);
  return record(OP, [x, scale, zeroPoint], y, (dy) => {
    const inside = inRange(r, quantMin, quantMax);
    const below = less(r, quantMin);
    const above = greater(r, quantMax);
    const outsideStep = where(below, sub(quantMin, z), where(above, sub(quantMax, z), 0));
    const dScale = where(inside, div(sub(y, x), s), outsideStep);
    const dZeroPoint = where(inside, 0, neg(s));
    return [
      where(inside, dy, 0),
      reduceTo(mul(dy, dScale), scale),
      reduceTo(mul(dy, dZeroPoint), zeroPoint),
    ];
  });
}
