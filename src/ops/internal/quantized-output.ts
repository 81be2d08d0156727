import { checkDType } from '../../tensor/dtype.js';
import { formatShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';

/** The output side shared by the integer ops (quantizedMatMul, quantizedConv2d). */
export interface QuantizedOutputOptions {
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

export const int8Range = (dtype: string): [number, number] =>
  dtype === 'int8' ? [-128, 127] : [0, 255];

export function checkInt(op: string, name: string, v: number, [lo, hi]: [number, number]): void {
  if (!Number.isInteger(v) || v < lo || v > hi)
    throw new RangeError(`${op}: ${name} must be an integer in [${lo}, ${hi}], got ${v}`);
}

/** Checks the options of an integer op with N output channels and returns its output dtype and attrs. */
export function quantizedOutput(
  op: string,
  xDtype: string,
  N: number,
  options: QuantizedOutputOptions,
): {
  dtype: 'int32' | 'uint8' | 'int8' | 'float32';
  attrs: {
    xZeroPoint: number;
    outputScale: Float32Array | null;
    outputZeroPoint: number;
    relu: boolean;
  };
} {
  const { bias, outputScale, activation = 'linear' } = options;
  const xZeroPoint = options.xZeroPoint ?? 0;
  const outputZeroPoint = options.outputZeroPoint ?? 0;
  const dtype = options.outputDtype ?? (outputScale === undefined ? 'int32' : 'uint8');
  checkInt(op, 'xZeroPoint', xZeroPoint, int8Range(xDtype));
  if (bias) {
    checkDType(op, 'bias', bias.dtype, [dtype === 'float32' ? 'float32' : 'int32']);
    if (bias.rank !== 1 || bias.shape[0] !== N)
      throw new RangeError(
        `${op}: expected bias [${N}] for ${N} output channels, got ${formatShape(bias.shape)}`,
      );
  }
  if (activation !== 'linear' && activation !== 'relu')
    throw new TypeError(`${op}: activation must be 'linear' or 'relu', got '${activation}'`);
  let scale: Float32Array | null = null;
  if (dtype === 'int32') {
    if (outputScale !== undefined || activation !== 'linear' || outputZeroPoint !== 0)
      throw new TypeError(
        `${op}: the int32 output holds the accumulators; outputScale, outputZeroPoint and activation need outputDtype 'uint8' or 'int8'`,
      );
  } else {
    checkDType(op, 'outputDtype', dtype, ['uint8', 'int8', 'float32']);
    if (outputScale === undefined)
      throw new TypeError(`${op}: outputDtype '${dtype}' needs outputScale`);
    scale = Float32Array.from(typeof outputScale === 'number' ? [outputScale] : outputScale);
    if (scale.length !== 1 && scale.length !== N)
      throw new RangeError(`${op}: outputScale has ${scale.length} values; expected 1 or ${N}`);
    for (const s of scale)
      if (!(Number.isFinite(s) && s > 0))
        throw new RangeError(`${op}: outputScale values must be finite and positive, got ${s}`);
    if (dtype === 'float32') checkInt(op, 'outputZeroPoint', outputZeroPoint, [0, 0]);
    else checkInt(op, 'outputZeroPoint', outputZeroPoint, int8Range(dtype));
  }
  return {
    dtype,
    attrs: { xZeroPoint, outputScale: scale, outputZeroPoint, relu: activation === 'relu' },
  };
}
