import type { Tensor } from '../../../tensor/tensor.js';
import { isShapeList, type Layer, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';

/** "Dense 'dense_1'": how errors name a layer instance. */
export function layerLabel(layer: Layer): string {
  return `${(layer.constructor as typeof Layer).className} '${layer.name}'`;
}

/** The one tensor of a single-input layer; a list is an error naming the layer. */
export function singleInput(layer: Layer, inputs: LayerInput): Tensor {
  if (Array.isArray(inputs)) {
    if (inputs.length === 1) return inputs[0]!;
    throw new TypeError(`${layerLabel(layer)}: expects one input tensor, got ${inputs.length}`);
  }
  return inputs;
}

/** Checks a positive integer argument (units, filters). */
export function positiveInt(className: string, arg: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0)
    throw new RangeError(`${className}: ${arg} must be a positive integer, got ${String(value)}`);
  return value;
}

/**
 * Keras's standardize_tuple: a number or an n-tuple of positive integers, as an n-tuple.
 * `normalizeTuple('Conv2D', 'kernelSize', 3, 2)` is [3, 3].
 */
export function normalizeTuple(
  className: string,
  arg: string,
  value: number | readonly number[],
  n: number,
): number[] {
  const list = typeof value === 'number' ? new Array<number>(n).fill(value) : [...(value ?? [])];
  if (
    list.length !== n ||
    list.some((v) => typeof v !== 'number' || !Number.isInteger(v) || v <= 0)
  ) {
    const what =
      n === 1 ? 'a positive integer' : `a positive integer or a tuple of ${n} positive integers`;
    throw new RangeError(`${className}: ${arg} must be ${what}, got ${JSON.stringify(value)}`);
  }
  return list;
}

/** Checks a string option against its allowed values (case-insensitive, as Keras lowercases them). */
export function oneOf<T extends string>(
  className: string,
  arg: string,
  value: unknown,
  allowed: readonly T[],
): T {
  const v = typeof value === 'string' ? value.toLowerCase() : value;
  if (!allowed.includes(v as T)) {
    throw new RangeError(
      `${className}: ${arg} must be ${allowed.map((a) => `'${a}'`).join(' or ')}, got ${JSON.stringify(value)}`,
    );
  }
  return v as T;
}

/** Only channels-last data is supported (NHWC, Keras's default). */
export function checkDataFormat(className: string, value: unknown): 'channels_last' {
  if (value !== undefined && value !== 'channels_last') {
    throw new RangeError(
      `${className}: dataFormat ${JSON.stringify(value)} is not supported; only 'channels_last' (NHWC) is`,
    );
  }
  return 'channels_last';
}

/**
 * The output length of a convolution or pooling window along one axis (Keras's conv_output_length);
 * null stays null.
 */
export function convOutputLength(
  length: number | null,
  kernel: number,
  padding: 'valid' | 'same' | 'causal',
  stride: number,
  dilation = 1,
): number | null {
  if (length === null) return null;
  if (padding === 'valid') return Math.floor((length - (kernel - 1) * dilation - 1) / stride) + 1;
  return Math.ceil(length / stride);
}

/** The one shape a single-input layer is built with; a list of shapes is an error naming the layer. */
export function singleShape(layer: Layer, shape: SymbolicShape | SymbolicShape[]): SymbolicShape {
  if (isShapeList(shape)) {
    if (shape.length === 1) return shape[0]!;
    throw new TypeError(`${layerLabel(layer)}: expects one input, got ${shape.length}`);
  }
  return shape as SymbolicShape;
}

/** A weight that `build` creates; using it before the layer is built is an error naming the layer. */
export function builtWeight<T>(layer: Layer, weight: T | null): T {
  if (weight === null)
    throw new Error(
      `${layerLabel(layer)}: the layer is not built yet; call apply() (or build()) first`,
    );
  return weight;
}
