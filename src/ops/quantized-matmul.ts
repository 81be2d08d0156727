import { recordNonDifferentiable } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { QuantizedMatMulAttrs } from '../backends/kernels.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';

export interface QuantizedMatMulOptions {
  /** x's zero point, in x's range (default 0). */
  xZeroPoint?: number;
  /** int32 [N], added to the accumulators (in the accumulators' scale, xScale · wScale[j]). */
  bias?: Tensor;
  /** Requantization scales (xScale · wScale[j] / yScale): one, or one per output column. */
  outputScale?: number | ArrayLike<number>;
  outputZeroPoint?: number;
  /** 'int32' (the accumulators; the default without outputScale), 'uint8' (the default with
   * it) or 'int8'. */
  outputDtype?: 'int32' | 'uint8' | 'int8';
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
 * point (QuantizedMatMulAttrs gives the exact rule). Not differentiable.
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
    checkDType(op, 'bias', bias.dtype, ['int32']);
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
    checkDType(op, 'outputDtype', outputDtype, ['uint8', 'int8']);
    if (outputScale === undefined)
      throw new TypeError(`${op}: outputDtype '${outputDtype}' needs outputScale`);
    scale = Float32Array.from(typeof outputScale === 'number' ? [outputScale] : outputScale);
    if (scale.length !== 1 && scale.length !== N)
      throw new RangeError(`${op}: outputScale has ${scale.length} values; expected 1 or ${N}`);
    for (const s of scale)
      if (!(Number.isFinite(s) && s > 0))
        throw new RangeError(`${op}: outputScale values must be finite and positive, got ${s}`);
    checkInt('outputZeroPoint', outputZeroPoint, range(outputDtype));
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
