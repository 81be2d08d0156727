import { record } from '../autograd/tape.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import {
  channelShape,
  checkQuantRange,
  dequantizeGrid,
  gridIndex,
  inRange,
  paramTensor,
} from './internal/fake-quant.js';
import { where } from './where.js';

/** Options of `fakeQuant`: scale, zero point, integer grid, per-channel axis. */
export interface FakeQuantOptions {
  /** One float32 step (per tensor), or one per channel of `axis`; each finite and > 0. */
  scale: number | ArrayLike<number>;
  /** One integer (per tensor), or one per channel of `axis`; each in [quantMin, quantMax]. */
  zeroPoint: number | ArrayLike<number>;
  /** The integer grid, e.g. [0, 255] (uint8) or [-127, 127] (symmetric int8). */
  quantMin: number;
  quantMax: number;
  /** Per-channel along this axis of x (scale and zeroPoint then have x.shape[axis] values). */
  axis?: number;
}

const OP = 'fakeQuant';

/** Checks scale and zeroPoint against x and the grid; returns them as plain arrays. */
function fakeQuantParams(
  op: string,
  x: Tensor,
  options: FakeQuantOptions,
): { scale: number[]; zeroPoint: number[]; shape: number[] | null } {
  const { quantMin, quantMax, axis } = options;
  checkQuantRange(op, quantMin, quantMax);
  const shape = channelShape(op, x, axis);
  const list = (name: string, v: number | ArrayLike<number>): number[] => {
    if (typeof v === 'number') {
      if (shape)
        throw new TypeError(
          `${op}: per-channel (axis ${axis}) needs ${name} as an array, one value per channel of x ${formatShape(x.shape)}; got a number`,
        );
      return [v];
    }
    if (!shape)
      throw new TypeError(
        `${op}: ${name} is an array; give axis for per-channel fake quantization of x ${formatShape(x.shape)}`,
      );
    const out = Array.from(v);
    const channels = shape.reduce((a, b) => a * b, 1);
    if (out.length !== channels)
      throw new RangeError(
        `${op}: ${name} has ${out.length} values; x ${formatShape(x.shape)} has ${channels} channels along axis ${axis}`,
      );
    return out;
  };
  const scale = list('scale', options.scale);
  const zeroPoint = list('zeroPoint', options.zeroPoint);
  for (const s of scale)
    if (!(Number.isFinite(s) && Math.fround(s) > 0))
      throw new RangeError(`${op}: scale must be finite and > 0 in float32, got ${s}`);
  for (const z of zeroPoint)
    if (!Number.isInteger(z) || z < quantMin || z > quantMax)
      throw new RangeError(
        `${op}: zeroPoint must be an integer in [${quantMin}, ${quantMax}], got ${z}`,
      );
  return { scale, zeroPoint, shape };
}

/**
 * Quantize then dequantize, in float32 (PyTorch's fake_quantize_per_tensor_affine and
 * fake_quantize_per_channel_affine): y = (clamp(roundHalfEven(x / scale) + zeroPoint, quantMin,
 * quantMax) - zeroPoint) · scale, per tensor or per channel of `axis`. Same shape as x.
 * Gradient (straight-through estimator): dy where quantMin <= roundHalfEven(x / scale) +
 * zeroPoint <= quantMax, else 0. Keel divides by the scale where PyTorch multiplies by its
 * float32 reciprocal, so that the integers are those of Keel's quantization rule.
 * `fakeQuant(x, { scale: 0.1, zeroPoint: 128, quantMin: 0, quantMax: 255 })`
 */
export function fakeQuant(xLike: TensorLike, options: FakeQuantOptions): Tensor {
  const x = toTensor(xLike);
  const { scale, zeroPoint, shape } = fakeQuantParams(OP, x, options);
  const { quantMin, quantMax } = options;
  const s = paramTensor(scale, shape);
  const z = paramTensor(zeroPoint, shape);
  const y = dequantizeGrid(gridIndex(x, s, z), s, z, quantMin, quantMax);
  return record(OP, [x], y, (dy) => [
    where(inRange(gridIndex(x, s, z), quantMin, quantMax), dy, 0),
  ]);
}
