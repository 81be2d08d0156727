import { chargeAllocation } from './allocation-budget.js';

/**
 * Data types. Every dtype is described once here; storage is always one flat typed array.
 * float32, int32 and bool are computed on today; int8, uint8 and bfloat16 are declared so that
 * storage, serialization and casting can grow into them without changing the Tensor class (the
 * quantized ops, such as quantizedMatMul, take int8 and uint8 directly).
 */
export type DType = 'float32' | 'int32' | 'bool' | 'int8' | 'uint8' | 'bfloat16';

/** The typed arrays that hold tensor data, one per dtype. */
export type TypedArray = Float32Array | Int32Array | Uint8Array | Int8Array | Uint16Array;

export interface DTypeInfo {
  readonly name: DType;
  /** Bytes per element in storage. */
  readonly bytes: number;
  readonly isFloat: boolean;
  /** True when the ops of this release compute on it (the others only store and cast). */
  readonly computable: boolean;
  readonly create: (size: number) => TypedArray;
}

export const DTYPES: Readonly<Record<DType, DTypeInfo>> = {
  float32: {
    name: 'float32',
    bytes: 4,
    isFloat: true,
    computable: true,
    create: (n) => new Float32Array(n),
  },
  int32: {
    name: 'int32',
    bytes: 4,
    isFloat: false,
    computable: true,
    create: (n) => new Int32Array(n),
  },
  bool: {
    name: 'bool',
    bytes: 1,
    isFloat: false,
    computable: true,
    create: (n) => new Uint8Array(n),
  },
  int8: {
    name: 'int8',
    bytes: 1,
    isFloat: false,
    computable: false,
    create: (n) => new Int8Array(n),
  },
  uint8: {
    name: 'uint8',
    bytes: 1,
    isFloat: false,
    computable: false,
    create: (n) => new Uint8Array(n),
  },
  bfloat16: {
    name: 'bfloat16',
    bytes: 2,
    isFloat: true,
    computable: false,
    create: (n) => new Uint16Array(n),
  },
};

export function isDType(x: unknown): x is DType {
  return typeof x === 'string' && Object.hasOwn(DTYPES, x);
}

export function allocate(dtype: DType, size: number): TypedArray {
  chargeAllocation(size * DTYPES[dtype].bytes, `a ${dtype} tensor of ${size} elements`);
  return DTYPES[dtype].create(size);
}

/** The dtype an arithmetic op on a and b produces (NumPy-like promotion over the computable types). */
export function promoteTypes(a: DType, b: DType): DType {
  if (a === b) return a === 'bool' ? 'int32' : a;
  if (a === 'float32' || b === 'float32') return 'float32';
  return 'int32';
}

/** Throws a clear error naming the op when a dtype is not in the accepted list. */
export function checkDType(
  op: string,
  arg: string,
  dtype: DType,
  accepted: readonly DType[],
): void {
  if (!accepted.includes(dtype)) {
    throw new TypeError(
      `${op}: argument '${arg}' has dtype ${dtype}; expected one of ${accepted.join(', ')}`,
    );
  }
}
