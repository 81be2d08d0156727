import type { GradNode } from '../autograd/node.js';
import { chargeAllocation } from './allocation-budget.js';
import { allocate, DTYPES, type DType, type TypedArray } from './dtype.js';
import { formatTensor } from './format.js';
import { formatShape, type Shape, sizeOf } from './shape.js';

/** The typed array each dtype is stored in (bool and uint8 share Uint8Array). */
const STORAGE: Readonly<Record<DType, { new (n: number): TypedArray; name: string }>> = {
  float32: Float32Array,
  int32: Int32Array,
  bool: Uint8Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bfloat16: Uint16Array,
};

/** Largest element count of a tensor: a JavaScript typed array's length limit. */
const MAX_ELEMENTS = 2 ** 32;

/** The element count of `shape`, after checking each dimension is a non-negative integer. */
function checkedShapeSize(shape: Shape): number {
  if (!Array.isArray(shape))
    throw new TypeError(`Tensor: shape must be an array, got ${typeof shape}`);
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new RangeError(
        `Tensor: shape ${formatShape(shape)} has dimension ${d}; dimensions are non-negative integers`,
      );
    }
    n *= d;
  }
  if (n > MAX_ELEMENTS) {
    throw new RangeError(
      `Tensor: shape ${formatShape(shape)} has ${n} elements, over ${MAX_ELEMENTS}`,
    );
  }
  return n;
}

/** Nested JavaScript arrays of numbers, as returned by `Tensor.array()`. */
export type NestedArray = number | NestedArray[];

let nextId = 0;

/**
 * An n-dimensional array: a shape, a dtype and one contiguous row-major typed array.
 * The storage belongs to JavaScript, so the garbage collector frees it; nothing is disposed by hand.
 * Tensors are immutable to users; only optimizers write into a Variable's storage.
 */
export class Tensor {
  readonly id = nextId++;
  readonly shape: readonly number[];
  readonly dtype: DType;
  readonly size: number;
  /**
   * Row-major storage; backends read and write its elements in place (zero-copy). The array
   * itself is never replaced: its length is checked against the shape once, here.
   */
  readonly data: TypedArray;
  /** True when gradients flow back through this tensor. */
  requiresGrad = false;
  /** The node that produced this tensor in a recorded computation, or null for leaves. */
  gradFn: GradNode | null = null;
  /** Accumulated gradient of a leaf after `backward()`. */
  grad: Tensor | null = null;

  constructor(data: TypedArray, shape: Shape, dtype: DType) {
    const size = checkedShapeSize(shape);
    const info = DTYPES[dtype];
    if (info === undefined) throw new TypeError(`Tensor: unknown dtype ${JSON.stringify(dtype)}`);
    if (!(data instanceof STORAGE[dtype])) {
      throw new TypeError(
        `Tensor: ${dtype} ${formatShape(shape)} needs a ${STORAGE[dtype].name}, got ${data?.constructor?.name ?? typeof data}`,
      );
    }
    if (data.length !== size) {
      throw new RangeError(
        `Tensor: data has ${data.length} elements but shape ${formatShape(shape)} needs ${size}`,
      );
    }
    this.data = data;
    this.shape = Object.freeze([...shape]);
    this.dtype = dtype;
    this.size = size;
  }

  get rank(): number {
    return this.shape.length;
  }

  /** The storage as a typed array (shared, not copied). */
  dataSync(): TypedArray {
    return this.data;
  }

  /** A copy of the values as nested arrays. */
  array(): NestedArray {
    const d = this.data;
    const shape = this.shape;
    if (shape.length === 0) return d[0]!;
    const build = (dim: number, offset: number, stride: number): NestedArray[] => {
      const n = shape[dim]!;
      const inner = stride / n;
      const out: NestedArray[] = new Array(n);
      for (let i = 0; i < n; i++) {
        out[i] =
          dim === shape.length - 1 ? d[offset + i]! : build(dim + 1, offset + i * inner, inner);
      }
      return out;
    };
    return build(0, 0, this.size);
  }

  /** The single value of a one-element tensor. */
  item(): number {
    if (this.size !== 1)
      throw new RangeError(
        `item: tensor of shape ${formatShape(this.shape)} has ${this.size} elements, expected 1`,
      );
    return this.data[0]!;
  }

  /** A new tensor with the same shape and dtype and a copy of the storage, detached from any graph. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape, this.dtype);
  }

  /** The same storage, cut from the recorded graph. */
  detach(): Tensor {
    return new Tensor(this.data, this.shape, this.dtype);
  }

  /** The values as nested brackets (like NumPy), elided past `maxItems` per axis. */
  toString(options: { maxItems?: number; precision?: number } = {}): string {
    return formatTensor(this, options);
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.toString();
  }
}

/**
 * A tensor that holds state: model weights and optimizer slots. Its storage is updated in place
 * with `assign`, never replaced, so every reference sees the new value.
 */
export class Variable extends Tensor {
  name: string;
  trainable: boolean;

  constructor(value: Tensor, options: { name?: string; trainable?: boolean } = {}) {
    super(value.data.slice(), value.shape, value.dtype);
    this.name = options.name ?? `variable_${this.id}`;
    this.trainable = options.trainable ?? true;
    this.requiresGrad = this.trainable && DTYPES[value.dtype].isFloat;
  }

  /** Copies `value` into this variable's storage; shapes and dtypes must match. */
  assign(value: Tensor): void {
    if (value.size !== this.size || value.dtype !== this.dtype) {
      throw new RangeError(
        `Variable '${this.name}': cannot assign ${value.dtype} ${formatShape(value.shape)} to ${this.dtype} ${formatShape(this.shape)}`,
      );
    }
    this.data.set(value.data);
  }
}

/** Allocates a zero-filled tensor; used by ops to create outputs that kernels fill. */
export function emptyTensor(shape: Shape, dtype: DType): Tensor {
  return new Tensor(allocate(dtype, sizeOf(shape)), shape, dtype);
}

// Below this many elements zero-filling costs less than the Buffer machinery saves.
const UNINITIALIZED_MIN = 4096;

/**
 * A float32 tensor whose contents are unspecified: only for an op whose kernels, on every backend,
 * write each output element. Large buffers skip the zero-fill (Buffer.allocUnsafeSlow: its own
 * ArrayBuffer, owned by the GC like any other); a char-GPT step allocates ~70 MB of outputs, and
 * zeroing them cost ~10% of the step.
 */
export function uninitializedTensor(shape: Shape): Tensor {
  const n = sizeOf(shape);
  if (n < UNINITIALIZED_MIN) return emptyTensor(shape, 'float32');
  chargeAllocation(n * 4, `a float32 tensor of ${n} elements`);
  const bytes = Buffer.allocUnsafeSlow(n * 4);
  return new Tensor(new Float32Array(bytes.buffer, bytes.byteOffset, n), shape, 'float32');
}
