import { recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type {
  QuantizedMatMulAttrs,
  QuantizeLinearAttrs,
  QuantizeUint8Attrs,
} from '../backends/kernels.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import {
  checkInt,
  type QuantizedOutputOptions,
  quantizedOutput,
} from './internal/quantized-output.js';

/** Options of `quantizedMatMul`: the output's requantization. */
export interface QuantizedMatMulOptions extends QuantizedOutputOptions {}

const op = 'quantizedMatMul';

/**
 * Integer matrix product: x [..., K] (uint8 or int8) @ w [K, N] (int8, symmetric per channel)
 * -> [..., N], accumulated in wrapping int32: acc = bias + Σ_k (x - xZeroPoint) · w. With
 * `outputScale` the result is requantized in float32 to uint8/int8:
 * clamp(roundHalfEven(f32(f32(acc) · scale[j])) + outputZeroPoint), relu clamping at the zero
 * point; with outputDtype 'float32' it is dequantized, act(f32(acc) · scale[j] + bias[j]) in
 * float32 with a float32 bias (QuantizedMatMulAttrs gives the exact rules). Not differentiable.
 * `quantizedMatMul(xq, wq, { xZeroPoint: 128, bias, outputScale: s, outputZeroPoint: 3 })`
 */
export function quantizedMatMul(
  x: Tensor,
  w: Tensor,
  options: QuantizedMatMulOptions = {},
): Tensor {
  checkDType(op, 'x', x.dtype, ['uint8', 'int8']);
  checkDType(op, 'w', w.dtype, ['int8']);
  if (x.rank < 1 || w.rank !== 2 || x.shape[x.rank - 1] !== w.shape[0])
    throw new RangeError(
      `${op}: expected x [..., K] and w [K, N], got ${formatShape(x.shape)} and ${formatShape(w.shape)}`,
    );
  const K = w.shape[0]!;
  const N = w.shape[1]!;
  const out = quantizedOutput(op, x.dtype, N, options);
  const y = emptyTensor([...x.shape.slice(0, -1), N], out.dtype);
  const attrs: QuantizedMatMulAttrs = { M: sizeOf(x.shape.slice(0, -1)), K, N, ...out.attrs };
  const inputs: [Tensor, Tensor, ...Tensor[]] = options.bias ? [x, w, options.bias] : [x, w];
  runKernel(op, inputs, [y], attrs);
  return recordNonDifferentiable(op, inputs, y);
}

/** A tensor quantized to uint8 with one scale and zero point: x ≈ scale · (q - zeroPoint). */
export interface QuantizedActivation {
  q: Tensor;
  scale: number;
  zeroPoint: number;
}

/**
 * Dynamic quantization of x (float32) to uint8 over the range of this batch, in one kernel:
 * scale = (max - min) / 255 over the range widened to include 0 (1 for an all-zero x),
 * zeroPoint = clamp(roundHalfEven(-min / scale), 0, 255) and
 * q = clamp(roundHalfEven(x / scale) + zeroPoint, 0, 255), as PyTorch (QuantizeUint8Attrs gives
 * the exact rule). `label` names the caller in errors. Not differentiable.
 * `const { q, scale, zeroPoint } = quantizeUint8(x)`
 */
export function quantizeUint8(x: Tensor, label = 'quantizeUint8'): QuantizedActivation {
  checkDType(label, 'x', x.dtype, ['float32']);
  const q = emptyTensor(x.shape, 'uint8');
  const params = emptyTensor([2], 'float32');
  const attrs: QuantizeUint8Attrs = { size: x.size };
  runKernel('quantizeUint8', [x], [q, params], attrs);
  const scale = params.data[0]!;
  const zeroPoint = params.data[1]!;
  if (Number.isNaN(scale))
    throw new RangeError(
      `${label}: the input holds NaN or infinite values; it cannot be quantized`,
    );
  return { q: recordNonDifferentiable('quantizeUint8', [x], q), scale, zeroPoint };
}

/**
 * Static quantization of x (float32) to uint8 with a calibrated scale and zero point:
 * q = clamp(roundHalfEven(f32(x / scale)) + zeroPoint, 0, 255), NaN to 0 (QuantizeLinearAttrs).
 * `label` names the caller in errors. Not differentiable.
 * `quantizeLinear(x, 0.0039, 0)`
 */
export function quantizeLinear(
  x: Tensor,
  scale: number,
  zeroPoint: number,
  label = 'quantizeLinear',
): Tensor {
  checkDType(label, 'x', x.dtype, ['float32']);
  if (!(Number.isFinite(scale) && scale > 0))
    throw new RangeError(`${label}: scale must be finite and positive, got ${scale}`);
  checkInt(label, 'zeroPoint', zeroPoint, [0, 255]);
  const q = emptyTensor(x.shape, 'uint8');
  const attrs: QuantizeLinearAttrs = { size: x.size, scale: Math.fround(scale), zeroPoint };
  runKernel('quantizeLinear', [x], [q], attrs);
  return recordNonDifferentiable('quantizeLinear', [x], q);
}
