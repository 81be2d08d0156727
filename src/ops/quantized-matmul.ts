import { recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { QuantizedMatMulAttrs, QuantizeUint8Attrs } from '../backends/kernels.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';

export interface QuantizedMatMulOptions {
  /** x's zero point, in x's range (default 0). */
  xZeroPoint?: number;
  /** int32 [N], added to the accumulators (in the accumulators' scale, xScale · wScale[j]);
   * float32 [N] for a float32 output, added after the scaling. */
  bias?: Tensor;
  /** Requantization scales (xScale · wScale[j] / yScale), or for a float32 output the
   * dequantization scales (xScale · wScale[j]): one, or one per output column. */
  outputScale?: number | ArrayLike<number>;
  outputZeroPoint?: number;
  /** 'int32' (the accumulators; the default without outputScale), 'uint8' (the default with
   * it), 'int8', or 'float32' (dequantized: act(f32(acc) · scale[j] + bias[j])). */
  outputDtype?: 'int32' | 'uint8' | 'int8' | 'float32';
  activation?: 'linear' | 'relu';
}

const op = 'quantizedMatMul';
const range = (dtype: string): [number, number] => (dtype === 'int8' ? [-128, 127] : [0, 255]);

function checkInt(name: string, v: number, [lo, hi]: [number, number]): void {
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new RangeError(`${op}: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

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
  const rows = sizeOf(x.shape.slice(0, -1));
  const { bias, outputScale, activation = 'linear' } = options;
  const xZeroPoint = options.xZeroPoint ?? 0;
  const outputZeroPoint = options.outputZeroPoint ?? 0;
  const outputDtype = options.outputDtype ?? (outputScale === undefined ? 'int32' : 'uint8');
  checkInt('xZeroPoint', xZeroPoint, range(x.dtype));
  if (bias) {
    checkDType(op, 'bias', bias.dtype, [outputDtype === 'float32' ? 'float32' : 'int32']);
    if (bias.rank !== 1 || bias.shape[0] !== N)
      throw new RangeError(
        `${op}: expected bias [${N}] for w [${K}, ${N}], got ${formatShape(bias.shape)}`,
      );
  }
  if (activation !== 'linear' && activation !== 'relu')
    throw new TypeError(`${op}: activation must be 'linear' or 'relu', got '${activation}'`);
  let scale: Float32Array | null = null;
  if (outputDtype === 'int32') {
    if (outputScale !== undefined || activation !== 'linear' || outputZeroPoint !== 0)
      throw new TypeError(
        `${op}: the int32 output holds the accumulators; outputScale, outputZeroPoint and activation need outputDtype 'uint8' or 'int8'`,
      );
  } else {
    checkDType(op, 'outputDtype', outputDtype, ['uint8', 'int8', 'float32']);
    if (outputScale === undefined)
      throw new TypeError(`${op}: outputDtype '${outputDtype}' needs outputScale`);
    scale = Float32Array.from(typeof outputScale === 'number' ? [outputScale] : outputScale);
    if (scale.length !== 1 && scale.length !== N)
      throw new RangeError(`${op}: outputScale has ${scale.length} values; expected 1 or ${N}`);
    for (const s of scale)
      if (!(Number.isFinite(s) && s > 0))
        throw new RangeError(`${op}: outputScale values must be finite and positive, got ${s}`);
    if (outputDtype === 'float32') checkInt('outputZeroPoint', outputZeroPoint, [0, 0]);
    else checkInt('outputZeroPoint', outputZeroPoint, range(outputDtype));
  }
  const y = emptyTensor([...x.shape.slice(0, -1), N], outputDtype);
  const attrs: QuantizedMatMulAttrs = {
    M: rows,
    K,
    N,
    xZeroPoint,
    outputScale: scale,
    outputZeroPoint,
    relu: activation === 'relu',
  };
  runKernel(op, bias ? [x, w, bias] : [x, w], [y], attrs);
  return recordNonDifferentiable(op, bias ? [x, w, bias] : [x, w], y);
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
