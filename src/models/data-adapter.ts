import { type TensorLike, tensor } from '../tensor/create.js';
import { DTYPES } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { Tensor } from '../tensor/tensor.js';

/**
 * What `fit`, `evaluate` and `predict` accept for x and y: a tensor, nested number arrays, a list
 * of tensors (one per model input/output) or a record of tensors keyed by input/output name; and
 * for a model whose first layer takes strings (TextVectorization, StringLookup), texts or tokens.
 */
export type DataInput =
  | TensorLike
  | readonly Tensor[]
  | Readonly<Record<string, Tensor>>
  | readonly string[]
  | readonly (readonly string[])[];

/** Converts one data argument to a list of tensors (one per model input or output). */
export function toTensorList(
  op: string,
  arg: string,
  data: DataInput,
  names: readonly string[],
): Tensor[] {
  if (data instanceof Tensor) return [data];
  if (Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Tensor)) {
    return [...(data as Tensor[])];
  }
  if (
    typeof data === 'object' &&
    data !== null &&
    !Array.isArray(data) &&
    !ArrayBuffer.isView(data)
  ) {
    const record = data as Readonly<Record<string, Tensor>>;
    return names.map((name) => {
      const t = record[name];
      if (!(t instanceof Tensor)) {
        throw new TypeError(
          `${op}: ${arg} is a record but has no tensor for '${name}' (keys: ${Object.keys(record).join(', ')}; expected: ${names.join(', ')})`,
        );
      }
      return t;
    });
  }
  if (data === undefined || data === null) throw new TypeError(`${op}: ${arg} is required`);
  try {
    return [tensor(data as TensorLike)];
  } catch (e) {
    throw new TypeError(`${op}: could not convert ${arg} to a tensor: ${(e as Error).message}`);
  }
}

/** The row-major index of flat position `i` in `shape`, as "[a, b, c]". */
function unravel(i: number, shape: readonly number[]): number[] {
  const idx = new Array<number>(shape.length);
  for (let k = shape.length - 1; k >= 0; k--) {
    const d = shape[k]!;
    idx[k] = i % d;
    i = Math.floor(i / d);
  }
  return idx;
}

/** Throws if a float tensor holds NaN or ±Infinity, naming the argument and the first bad index. */
export function checkFinite(op: string, arg: string, t: Tensor): void {
  if (!DTYPES[t.dtype].isFloat || t.dtype !== 'float32') return;
  const d = t.data;
  for (let i = 0; i < d.length; i++) {
    const v = d[i]!;
    if (v - v !== 0) {
      const idx = unravel(i, t.shape);
      const what = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
      throw new RangeError(
        `${op}: ${arg} contains ${what} at index [${idx.join(', ')}] (sample ${idx[0] ?? 0}); clean or impute the data before training`,
      );
    }
  }
}

/** A list name for messages: 'x' for a single tensor, 'x[1]' inside a list. */
export function argName(arg: string, i: number, count: number): string {
  return count === 1 ? arg : `${arg}[${i}]`;
}

/**
 * Checks that every tensor has a sample axis, the same number of samples, no NaN/Infinity, and that
 * there is at least one sample. Returns the number of samples.
 */
export function checkSamples(op: string, groups: readonly [string, readonly Tensor[]][]): number {
  let n: number | null = null;
  let first = '';
  for (const [arg, ts] of groups) {
    ts.forEach((t, i) => {
      const name = argName(arg, i, ts.length);
      if (t.rank === 0) {
        throw new RangeError(
          `${op}: ${name} is a scalar; expected a sample axis first, e.g. [samples, ...]`,
        );
      }
      const count = t.shape[0]!;
      if (n === null) {
        n = count;
        first = name;
      } else if (count !== n) {
        throw new RangeError(
          `${op}: ${first} has ${n} samples but ${name} has ${count} (shapes ${formatShape(
            groups[0]![1][0]!.shape,
          )} and ${formatShape(t.shape)}); every input, target and weight needs the same number of samples`,
        );
      }
    });
  }
  if (n === null || n === 0) throw new RangeError(`${op}: the data is empty (0 samples)`);
  for (const [arg, ts] of groups) {
    for (let i = 0; i < ts.length; i++) checkFinite(op, argName(arg, i, ts.length), ts[i]!);
  }
  return n;
}

/** Rows `order[start..end)` of `t` along the first axis, copied into a new tensor. */
export function takeRows(t: Tensor, order: Int32Array, start: number, end: number): Tensor {
  const rowSize = t.shape[0] === 0 ? 0 : t.size / t.shape[0]!;
  const count = end - start;
  const out = DTYPES[t.dtype].create(count * rowSize);
  const src = t.data;
  let contiguous = true;
  for (let k = start + 1; k < end && contiguous; k++) contiguous = order[k] === order[k - 1]! + 1;
  if (contiguous && count > 0) {
    const from = order[start]! * rowSize;
    out.set(src.subarray(from, from + count * rowSize) as never);
  } else {
    for (let k = 0; k < count; k++) {
      const from = order[start + k]! * rowSize;
      out.set(src.subarray(from, from + rowSize) as never, k * rowSize);
    }
  }
  return new Tensor(out, [count, ...t.shape.slice(1)], t.dtype);
}

/** 0..n-1 in order. */
export function identityOrder(n: number): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  return order;
}

/** Splits every tensor at sample `at`: [rows before, rows from `at` on]. */
export function splitAt(ts: readonly Tensor[], at: number): [Tensor[], Tensor[]] {
  return [
    ts.map((t) => takeRows(t, identityOrder(t.shape[0]!), 0, at)),
    ts.map((t) => takeRows(t, identityOrder(t.shape[0]!), at, t.shape[0]!)),
  ];
}

/** Per-sample weights from a class-weight table: the class of a one-hot row is its argmax. */
export function classWeightsFor(
  op: string,
  y: Tensor,
  classWeight: Readonly<Record<number, number>>,
): Float32Array {
  const n = y.shape[0]!;
  const width = n === 0 ? 0 : y.size / n;
  const out = new Float32Array(n);
  const d = y.data;
  for (let i = 0; i < n; i++) {
    let cls: number;
    if (width === 1) cls = Math.round(d[i]!);
    else {
      cls = 0;
      for (let k = 1; k < width; k++) if (d[i * width + k]! > d[i * width + cls]!) cls = k;
    }
    const w = classWeight[cls];
    out[i] = w === undefined ? 1 : w;
  }
  for (const [k, w] of Object.entries(classWeight)) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new RangeError(`${op}: classWeight[${k}] must be a finite number >= 0, got ${w}`);
    }
  }
  return out;
}

/** Sample weights as a float32 [n] tensor, or an error naming the shapes. */
export function toSampleWeight(op: string, sw: TensorLike, n: number): Tensor {
  const t = tensor(sw as TensorLike, undefined, 'float32');
  if (t.rank !== 1 || t.shape[0] !== n) {
    throw new RangeError(
      `${op}: sampleWeight must have shape [${n}] (one weight per sample), got ${formatShape(t.shape)}`,
    );
  }
  checkFinite(op, 'sampleWeight', t);
  return t;
}
