import { roundHalfEven } from '../../../backends/ts/kernels/quantized-matmul.js';
import type { FusedActivation } from '../../../ops/index.js';
import type { QuantizedOutputOptions } from '../../../ops/internal/quantized-output.js';
import { quantizeLinear, quantizeUint8 } from '../../../ops/quantized-matmul.js';
import { tensor } from '../../../tensor/create.js';
import type { Tensor } from '../../../tensor/tensor.js';

/**
 * The calibrated ranges of a statically quantized layer (issue 12): its input's uint8 scale and
 * zero point (null scale: dynamic, ranged per batch) and its output's (null scale: the output is
 * dequantized to float32). Plain numbers, so they live in the layer's config.
 */
export interface StaticQuantArgs {
  inputScale?: number | null;
  inputZeroPoint?: number;
  outputScale?: number | null;
  outputZeroPoint?: number;
}

export interface StaticQuant {
  inputScale: number | null;
  inputZeroPoint: number;
  outputScale: number | null;
  outputZeroPoint: number;
}

function scaleArg(cls: string, name: string, v: unknown): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !(Number.isFinite(v) && v > 0))
    throw new RangeError(`${cls}: ${name} must be a finite positive number or null, got ${v}`);
  return Math.fround(v);
}

function zeroArg(cls: string, name: string, v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255)
    throw new RangeError(`${cls}: ${name} must be an integer in [0, 255], got ${v}`);
  return v;
}

/** Checks the static ranges of a layer's config; a uint8 output needs relu or linear. */
export function staticQuant(
  cls: string,
  args: StaticQuantArgs,
  fused: FusedActivation | null,
): StaticQuant {
  const q = {
    inputScale: scaleArg(cls, 'inputScale', args.inputScale),
    inputZeroPoint: zeroArg(cls, 'inputZeroPoint', args.inputZeroPoint),
    outputScale: scaleArg(cls, 'outputScale', args.outputScale),
    outputZeroPoint: zeroArg(cls, 'outputZeroPoint', args.outputZeroPoint),
  };
  if (q.outputScale !== null && fused !== 'relu' && fused !== 'linear')
    throw new RangeError(
      `${cls}: a uint8 output (outputScale set) needs activation 'relu' or 'linear'`,
    );
  return q;
}

/** The uint8 input of an integer layer: uint8 as it comes (static), or float32 quantized. */
export function quantizedInput(
  label: string,
  x: Tensor,
  q: StaticQuant,
): { q: Tensor; scale: number; zeroPoint: number } {
  if (x.dtype === 'uint8') {
    if (q.inputScale === null)
      throw new TypeError(
        `${label}: got a uint8 input but the layer has no calibrated inputScale; quantize the model with mode 'static'`,
      );
    return { q: x, scale: q.inputScale, zeroPoint: q.inputZeroPoint };
  }
  if (q.inputScale === null) return quantizeUint8(x, label);
  return {
    q: quantizeLinear(x, q.inputScale, q.inputZeroPoint, label),
    scale: q.inputScale,
    zeroPoint: q.inputZeroPoint,
  };
}

/**
 * The integer op's output options for input scale `inScale`, per-channel kernel scales and a
 * float bias: requantized uint8 (scale inScale·kernelScale[j]/outputScale, int32 bias
 * round(b / (inScale·kernelScale[j]))) when the layer has an outputScale, else dequantized
 * float32 (scale inScale·kernelScale[j], float bias). `fused` is the built-in activation.
 */
export function quantizedOutputOptions(
  q: StaticQuant,
  inScale: number,
  inZeroPoint: number,
  kernelScale: Float32Array,
  bias: Float32Array | null,
  fused: FusedActivation | null,
): QuantizedOutputOptions {
  const n = kernelScale.length;
  const activation = fused === 'relu' ? 'relu' : 'linear';
  const accScale = (j: number) => Math.fround(inScale * kernelScale[j]!);
  if (q.outputScale === null) {
    const s = new Float32Array(n);
    for (let j = 0; j < n; j++) s[j] = accScale(j);
    return {
      xZeroPoint: inZeroPoint,
      outputDtype: 'float32',
      outputScale: s,
      bias: bias ? tensor(bias, [n]) : undefined,
      activation,
    };
  }
  const s = new Float32Array(n);
  for (let j = 0; j < n; j++) s[j] = (inScale * kernelScale[j]!) / q.outputScale;
  let intBias: Tensor | undefined;
  if (bias) {
    const b = new Int32Array(n);
    for (let j = 0; j < n; j++)
      b[j] = Math.max(-(2 ** 31), Math.min(2 ** 31 - 1, roundHalfEven(bias[j]! / accScale(j))));
    intBias = tensor(b, [n], 'int32');
  }
  return {
    xZeroPoint: inZeroPoint,
    outputDtype: 'uint8',
    outputScale: s,
    outputZeroPoint: q.outputZeroPoint,
    bias: intBias,
    activation,
  };
}

/** The static ranges for getConfig (only the ones that are set). */
export function staticQuantConfig(q: StaticQuant): Record<string, unknown> {
  return q.inputScale === null && q.outputScale === null ? {} : { ...q };
}
