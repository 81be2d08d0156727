import { allocate, type DType, isDType, type TypedArray } from './dtype.js';
import { checkShape, formatShape, type Shape, sizeOf } from './shape.js';
import { type NestedArray, Tensor } from './tensor.js';

/** Anything `tensor()` accepts: a Tensor, a number, nested arrays of numbers, or a typed array. */
export type TensorLike =
  | Tensor
  | number
  | boolean
  | NestedArray
  | readonly NestedArray[]
  | TypedArray
  | NestedBooleans;

/** Nested arrays of booleans, for bool tensors: `tensor([[true], [false]])`. */
export type NestedBooleans = readonly (boolean | NestedBooleans)[];

function inferShape(values: unknown): number[] {
  const shape: number[] = [];
  let v = values;
  while (Array.isArray(v) || ArrayBuffer.isView(v)) {
    const arr = v as ArrayLike<unknown>;
    shape.push(arr.length);
    if (arr.length === 0 || ArrayBuffer.isView(v)) break;
    v = arr[0];
  }
  return shape;
}

function flatten(values: unknown, shape: readonly number[], out: TypedArray): void {
  let k = 0;
  const walk = (v: unknown, dim: number, path: string): void => {
    if (dim === shape.length) {
      if (typeof v === 'number') out[k++] = v;
      else if (typeof v === 'boolean') out[k++] = v ? 1 : 0;
      else
        throw new TypeError(
          `tensor: expected a number at ${path || 'the top level'}, got ${describe(v)}`,
        );
      return;
    }
    if (!Array.isArray(v) && !ArrayBuffer.isView(v)) {
      throw new TypeError(
        `tensor: ragged nested array: expected an array of length ${shape[dim]} at ${path || 'the top level'}, got ${describe(v)}`,
      );
    }
    const arr = v as ArrayLike<unknown>;
    if (arr.length !== shape[dim]) {
      throw new RangeError(
        `tensor: ragged nested array: length ${arr.length} at ${path || 'the top level'}, expected ${shape[dim]} (inferred shape ${formatShape(shape)})` +
          (dim === shape.length - 1
            ? '; sequences of different lengths must be padded first: text.padSequences(sequences, {maxlen})'
            : ''),
      );
    }
    if (ArrayBuffer.isView(v) && dim === shape.length - 1) {
      out.set(v as unknown as ArrayLike<number>, k);
      k += arr.length;
      return;
    }
    for (let i = 0; i < arr.length; i++) walk(arr[i], dim + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
}

/** The first scalar of nested arrays (what decides the default dtype), or undefined when empty. */
function firstLeaf(values: unknown): unknown {
  let v = values;
  while (Array.isArray(v)) v = v[0];
  return v;
}

function describe(v: unknown): string {
  if (typeof v === 'string')
    return `the string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}...` : v)}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return v === null ? 'null' : typeof v;
}

/**
 * Creates a tensor from nested arrays, a typed array or a number. The dtype defaults to float32
 * (int32 for an Int32Array, bool for booleans). `tensor([[1, 2], [3, 4]])`
 */
export function tensor(values: TensorLike, shape?: Shape, dtype?: DType): Tensor {
  if (values instanceof Tensor)
    return dtype === undefined || dtype === values.dtype
      ? values
      : new Tensor(castArray(values.data, dtype), values.shape, dtype);
  if (dtype !== undefined && !isDType(dtype))
    throw new TypeError(`tensor: unknown dtype '${String(dtype)}'`);
  const inferredDType: DType =
    dtype ??
    (values instanceof Int32Array
      ? 'int32'
      : typeof firstLeaf(values) === 'boolean'
        ? 'bool'
        : 'float32');
  if (ArrayBuffer.isView(values)) {
    const s = shape ?? [values.length];
    checkShape('tensor', s);
    if (sizeOf(s) !== values.length)
      throw new RangeError(`tensor: ${values.length} values do not fill shape ${formatShape(s)}`);
    return new Tensor(castArray(values, inferredDType), s, inferredDType);
  }
  const natural = inferShape(values);
  const data = allocate(inferredDType, sizeOf(natural));
  flatten(values, natural, data);
  if (shape === undefined) return new Tensor(data, natural, inferredDType);
  checkShape('tensor', shape);
  if (sizeOf(shape) !== data.length)
    throw new RangeError(`tensor: ${data.length} values do not fill shape ${formatShape(shape)}`);
  return new Tensor(data, shape, inferredDType);
}

function castArray(data: TypedArray, dtype: DType): TypedArray {
  const out = allocate(dtype, data.length);
  if (dtype === 'bool') for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
  else if (dtype === 'int32' || dtype === 'int8' || dtype === 'uint8')
    for (let i = 0; i < data.length; i++) out[i] = Math.trunc(data[i]!);
  else out.set(data);
  return out;
}

/** Converts anything tensor-like to a tensor; used by ops to accept plain numbers and arrays. */
export function toTensor(x: TensorLike, dtype?: DType): Tensor {
  return x instanceof Tensor ? x : tensor(x, undefined, dtype);
}

/** A rank-0 tensor holding `value`. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  const data = allocate(dtype, 1);
  data[0] = value;
  return new Tensor(data, [], dtype);
}

/** A tensor of the given shape filled with `value`. `fill([2, 3], 0.5)` */
export function fill(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  checkShape('fill', shape);
  const data = allocate(dtype, sizeOf(shape));
  if (value !== 0) data.fill(value);
  return new Tensor(data, shape, dtype);
}

/** A tensor of `shape` filled with 0. */
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  return fill(shape, 0, dtype);
}

/** A tensor of `shape` filled with 1. */
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  return fill(shape, 1, dtype);
}

/** Zeros with `x`'s shape and dtype. */
export function zerosLike(x: Tensor): Tensor {
  return fill(x.shape, 0, x.dtype);
}

/** Ones with `x`'s shape and dtype. */
export function onesLike(x: Tensor): Tensor {
  return fill(x.shape, 1, x.dtype);
}

/** Evenly spaced values in [start, stop). `arange(0, 5)` is [0, 1, 2, 3, 4]. */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  if (step === 0) throw new RangeError('arange: step must not be 0');
  const n = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(dtype, n);
  for (let i = 0; i < n; i++) data[i] = start + i * step;
  return new Tensor(data, [n], dtype);
}

/** The identity matrix. */
export function eye(n: number, dtype: DType = 'float32'): Tensor {
  const t = fill([n, n], 0, dtype);
  for (let i = 0; i < n; i++) t.data[i * n + i] = 1;
  return t;
}
