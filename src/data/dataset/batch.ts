import { DTYPES } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { describe, leafToTensor, nodeKind } from './element.js';

export interface BatchOptions {
  /** Drop a last batch smaller than `size` (default false). */
  dropRemainder?: boolean;
}

/** Padding for `paddedBatch`: per-leaf target shapes (null = the longest in the batch) and value. */
export interface PadOptions extends BatchOptions {
  paddingValue?: number;
}

/**
 * Stacks a list of elements of the same structure: tensor leaves become one tensor with a new
 * first axis, string leaves a string array; tuples and records are stacked field by field.
 * With `pad`, leaves of different shapes are padded at the end of every axis to the largest.
 */
export function stackElements(
  items: readonly unknown[],
  pad: PadOptions | null,
  where = 'element',
): unknown {
  const first = items[0];
  const kind = nodeKind(first);
  if (kind === 'tuple') {
    const len = (first as unknown[]).length;
    return Array.from({ length: len }, (_, i) =>
      stackElements(
        items.map((it, k) => {
          if (!Array.isArray(it) || it.length !== len) mismatch(where, first, it, k);
          return (it as unknown[])[i];
        }),
        pad,
        `${where}[${i}]`,
      ),
    );
  }
  if (kind === 'record') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(first as object)) {
      out[key] = stackElements(
        items.map((it, k) => {
          if (nodeKind(it) !== 'record' || !(key in (it as object))) mismatch(where, first, it, k);
          return (it as Record<string, unknown>)[key];
        }),
        pad,
        `${where}.${key}`,
      );
    }
    return out;
  }
  if (typeof first === 'string') {
    items.forEach((it, k) => {
      if (typeof it !== 'string') mismatch(where, first, it, k);
    });
    return [...items];
  }
  const ts = items.map((it, k) => {
    if (typeof it === 'string') mismatch(where, first, it, k);
    return leafToTensor(it, where);
  });
  return stackTensors(ts, pad, where);
}

function mismatch(where: string, first: unknown, got: unknown, k: number): never {
  throw new TypeError(
    `Dataset.batch: ${where} of batch item ${k} is ${describe(got)} but item 0 is ${describe(first)}; every element needs the same structure and leaf types`,
  );
}

function stackTensors(ts: readonly Tensor[], pad: PadOptions | null, where: string): Tensor {
  const rank = ts[0]!.rank;
  const dtype = ts.some((t) => t.dtype === 'float32') ? 'float32' : ts[0]!.dtype;
  const shape = [...ts[0]!.shape];
  for (const t of ts) {
    if (t.rank !== rank) {
      throw new RangeError(
        `Dataset.batch: ${where} has rank ${rank} in item 0 but [${t.shape.join(', ')}] elsewhere`,
      );
    }
    for (let a = 0; a < rank; a++) {
      if (t.shape[a] !== shape[a]) {
        if (!pad) {
          throw new RangeError(
            `Dataset.batch: ${where} has shape [${ts[0]!.shape.join(', ')}] in item 0 but [${t.shape.join(', ')}] elsewhere; use paddedBatch for variable lengths`,
          );
        }
        shape[a] = Math.max(shape[a]!, t.shape[a]!);
      }
    }
  }
  const rowSize = shape.reduce((a, b) => a * b, 1);
  const out = DTYPES[dtype].create(ts.length * rowSize);
  if (pad?.paddingValue) out.fill(pad.paddingValue as never);
  ts.forEach((t, k) => {
    if (t.shape.every((d, a) => d === shape[a])) {
      out.set(t.data as never, k * rowSize);
      return;
    }
    copyPadded(t, shape, out, k * rowSize);
  });
  return new Tensor(out, [ts.length, ...shape], dtype);
}

/** Copies `t` into the corner of a larger row-major block of `shape` starting at `offset`. */
function copyPadded(
  t: Tensor,
  shape: readonly number[],
  out: ArrayLike<number> & { [i: number]: number },
  offset: number,
): void {
  const rank = t.rank;
  const idx = new Array<number>(rank).fill(0);
  for (let i = 0; i < t.size; i++) {
    let o = 0;
    for (let a = 0; a < rank; a++) o = o * shape[a]! + idx[a]!;
    out[offset + o] = t.data[i]!;
    for (let a = rank - 1; a >= 0; a--) {
      if (++idx[a]! < t.shape[a]!) break;
      idx[a] = 0;
    }
  }
}

/** Groups consecutive elements into batches of `size` (stacked by `stackElements`). */
export async function* batchIterable(
  source: AsyncIterable<unknown>,
  size: number,
  options: BatchOptions,
  pad: PadOptions | null,
): AsyncGenerator<unknown> {
  let buf: unknown[] = [];
  for await (const item of source) {
    buf.push(item);
    if (buf.length === size) {
      yield stackElements(buf, pad);
      buf = [];
    }
  }
  if (buf.length > 0 && !options.dropRemainder) yield stackElements(buf, pad);
}
