import { tensor } from '../../tensor/create.js';
import { DTYPES, type DType } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';

/**
 * What a dataset element may hold: tensors, numbers, strings, typed arrays and nested number
 * arrays as leaves, inside arrays (tuples) and plain records. `batch` stacks leaf by leaf.
 */
export type Leaf = Tensor | number | string | boolean | ArrayBufferView | readonly unknown[];

/** True for a plain object record (not a tensor, array or typed array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return (
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Tensor) &&
    !Array.isArray(v) &&
    !ArrayBuffer.isView(v)
  );
}

/** True for a leaf that is a nested array of numbers (treated as one tensor, not a tuple). */
function isNumberArray(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  let x: unknown = v;
  while (Array.isArray(x)) {
    if (x.length === 0) return true;
    x = x[0];
  }
  return typeof x === 'number' || typeof x === 'boolean';
}

/** Converts a numeric leaf to a tensor (numbers become float32 scalars, typed arrays rank 1). */
export function leafToTensor(v: unknown, where: string): Tensor {
  if (v instanceof Tensor) return v;
  if (typeof v === 'number') return new Tensor(Float32Array.of(v), [], 'float32');
  if (typeof v === 'boolean') return new Tensor(Float32Array.of(v ? 1 : 0), [], 'float32');
  if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
    const arr = v as unknown as ArrayLike<number>;
    const dtype: DType = v instanceof Int32Array ? 'int32' : 'float32';
    const data = DTYPES[dtype].create(arr.length);
    data.set(arr as never);
    return new Tensor(data, [arr.length], dtype);
  }
  if (isNumberArray(v)) return tensor(v as never);
  throw new TypeError(`Dataset: ${where} is not numeric (got ${describe(v)})`);
}

/** A short description of a value for error messages. */
export function describe(v: unknown): string {
  if (v instanceof Tensor) return `tensor [${v.shape.join(', ')}] ${v.dtype}`;
  if (Array.isArray(v)) return `array(${v.length})`;
  if (v === null) return 'null';
  if (ArrayBuffer.isView(v)) return v.constructor.name;
  if (typeof v === 'string')
    return `string ${JSON.stringify(v.length > 20 ? `${v.slice(0, 20)}…` : v)}`;
  return typeof v;
}

/** The kind of a structure node: 'tuple', 'record' or 'leaf'. */
export function nodeKind(v: unknown): 'tuple' | 'record' | 'leaf' {
  if (
    Array.isArray(v) &&
    !isNumberArray(v) &&
    !(v.length > 0 && v.every((s) => typeof s === 'string'))
  )
    return 'tuple';
  if (isRecord(v)) return 'record';
  return 'leaf';
}
