/**
 * Tensors in JSON requests, checked against the model's input signature before anything is
 * allocated for them: nested arrays (TF Serving) or flat data with a shape (KServe v2), either as
 * JS arrays or as the NumericBlocks of tensor-json-parser.ts. Errors name the input, the expected
 * and the received shape or dtype.
 */

import type { WireTensor } from '../inference/wire.js';
import type { TensorSpec } from '../repository/signature.js';
import { HttpError } from './http-error.js';
import { NumericBlock } from './tensor-json-parser.js';

const FLOAT32_MAX = 3.4028234663852886e38;

export function formatShape(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => d ?? -1).join(', ')}]`;
}

/** Checks a full shape (batch axis first) against a spec; null in the spec matches any size. */
export function checkShape(spec: TensorSpec, shape: readonly number[]): void {
  const ok =
    shape.length === spec.shape.length &&
    shape.every((d, i) => spec.shape[i] === null || spec.shape[i] === d);
  if (!ok) {
    throw new HttpError(
      400,
      `input '${spec.name}': expected shape ${formatShape(spec.shape)}, got ${formatShape(shape)}`,
    );
  }
}

/** The shape of a nested array, following first elements (validated later, element by element). */
function nestedShape(value: unknown): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    if (v.length === 0) break;
    v = v[0];
  }
  if (v instanceof NumericBlock) shape.push(...v.shape);
  return shape;
}

/** A block's values in the spec's dtype, every one checked as checkValue checks it. */
function blockData(spec: TensorSpec, block: NumericBlock): Float32Array | Int32Array {
  if (spec.dtype !== 'int32' && block.values instanceof Float32Array) {
    // Parsed for float32: rounded already, and its first bad value kept.
    if (block.bad !== undefined) checkValue(spec, block.bad);
    return block.values;
  }
  const out = allocate(spec, block.values.length);
  for (let i = 0; i < out.length; i++) out[i] = checkValue(spec, block.values[i]);
  return out;
}

/** Writes one value after checking it for the dtype. */
function checkValue(spec: TensorSpec, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) {
    throw new HttpError(
      400,
      `input '${spec.name}': expected ${spec.dtype} numbers, got ${JSON.stringify(v)?.slice(0, 40) ?? typeof v}`,
    );
  }
  if (
    spec.dtype === 'int32'
      ? !(Number.isInteger(v) && v >= -2147483648 && v <= 2147483647)
      : Math.abs(v) > FLOAT32_MAX
  ) {
    throw new HttpError(400, `input '${spec.name}': ${v} is out of range for ${spec.dtype}`);
  }
  return v;
}

function allocate(spec: TensorSpec, size: number): Float32Array | Int32Array {
  return spec.dtype === 'int32' ? new Int32Array(size) : new Float32Array(size);
}

/**
 * A batch from nested arrays: `rows` values of the spec's per-row shape (row format, one
 * instance each) or one nested array with the batch axis first (`rows` undefined: columnar).
 */
export function fromNested(spec: TensorSpec, value: unknown, asRows?: unknown[]): WireTensor {
  if (value instanceof NumericBlock && !asRows) {
    checkShape(spec, value.shape);
    return { data: blockData(spec, value), shape: value.shape.slice() };
  }
  const items = asRows ?? (Array.isArray(value) ? value : null);
  if (!items) {
    throw new HttpError(400, `input '${spec.name}': expected a list, got ${typeof value}`);
  }
  const inner = items.length > 0 ? nestedShape(items[0]) : spec.shape.slice(1).map((d) => d ?? 0);
  const shape = [items.length, ...inner];
  checkShape(spec, shape);
  const per = inner.reduce((a, b) => a * b, 1);
  const data = allocate(spec, items.length * per);
  // Walks the nested lists with one index per axis (reused: nothing allocated per element).
  const where = new Array<number>(inner.length + 1).fill(0);
  let at = 0;
  const fill = (v: unknown, depth: number): void => {
    if (depth === inner.length) {
      data[at++] = checkValue(spec, v);
      return;
    }
    if (v instanceof NumericBlock) {
      const want = inner.slice(depth);
      if (v.shape.join() !== want.join())
        throw new HttpError(
          400,
          `input '${spec.name}': expected shape ${formatShape(spec.shape)}; element [${where.slice(0, depth + 1).join(', ')}] has shape ${formatShape(v.shape)} where ${formatShape(want)} was expected (ragged or mixed lists)`,
        );
      const values = blockData(spec, v);
      data.set(values, at);
      at += values.length;
      return;
    }
    if (!Array.isArray(v) || v.length !== inner[depth]) {
      const got = Array.isArray(v) ? `length ${v.length}` : typeof v;
      throw new HttpError(
        400,
        `input '${spec.name}': expected shape ${formatShape(spec.shape)}; element [${where.slice(0, depth + 1).join(', ')}] has ${got} where ${inner[depth]} values were expected (ragged or mixed lists)`,
      );
    }
    if (depth === inner.length - 1) {
      // The innermost lists: numbers, checked in place.
      for (let i = 0; i < v.length; i++) data[at++] = checkValue(spec, v[i]);
      return;
    }
    for (let i = 0; i < v.length; i++) {
      where[depth + 1] = i;
      fill(v[i], depth + 1);
    }
  };
  for (let i = 0; i < items.length; i++) {
    where[0] = i;
    fill(items[i], 0);
  }
  return { data, shape };
}

/** A batch from KServe's flat (or nested) `data` and explicit `shape`. */
export function fromFlat(spec: TensorSpec, shape: unknown, data: unknown): WireTensor {
  if (
    !Array.isArray(shape) ||
    shape.length > 32 ||
    !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)
  ) {
    throw new HttpError(400, `input '${spec.name}': shape must be a list of sizes`);
  }
  checkShape(spec, shape as number[]);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  const block = data instanceof NumericBlock ? data : null;
  if (!block && !Array.isArray(data))
    throw new HttpError(400, `input '${spec.name}': data must be a list`);
  const flat = block ? block.values : (data as unknown[]).flat(32);
  if (flat.length !== size) {
    throw new HttpError(
      400,
      `input '${spec.name}': shape ${formatShape(shape as number[])} needs ${size} values, data has ${flat.length}`,
    );
  }
  if (block) return { data: blockData(spec, block), shape: shape as number[] };
  const out = allocate(spec, size);
  for (let i = 0; i < size; i++) out[i] = checkValue(spec, flat[i]);
  return { data: out, shape: shape as number[] };
}

/** Nested arrays of a tensor's rows (TF Serving responses). */
export function toNested(t: WireTensor): unknown[] {
  const { data, shape } = t;
  const build = (offset: number, axis: number): unknown => {
    if (axis === shape.length) return data[offset];
    const stride = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
    return Array.from({ length: shape[axis]! }, (_, i) => build(offset + i * stride, axis + 1));
  };
  return shape.length === 0 ? [data[0]] : (build(0, 0) as unknown[]);
}
