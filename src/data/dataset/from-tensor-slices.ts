import { DTYPES } from '../../tensor/dtype.js';
import { Tensor } from '../../tensor/tensor.js';
import { describe, leafToTensor, nodeKind } from './element.js';

/** The number of rows along the first axis of every leaf (they must agree). */
function countRows(v: unknown, where: string, acc: { n: number | null; at: string }): void {
  const kind = nodeKind(v);
  if (kind === 'tuple') {
    (v as unknown[]).forEach((x, i) => {
      countRows(x, `${where}[${i}]`, acc);
    });
  } else if (kind === 'record')
    for (const [k, x] of Object.entries(v as object)) countRows(x, `${where}.${k}`, acc);
  else {
    const n = Array.isArray(v) ? v.length : leafToTensor(v, where).shape[0];
    if (n === undefined) {
      throw new RangeError(
        `Dataset.fromTensorSlices: ${where} is a scalar; it needs a first axis to slice`,
      );
    }
    if (acc.n === null) {
      acc.n = n;
      acc.at = where;
    } else if (acc.n !== n) {
      throw new RangeError(
        `Dataset.fromTensorSlices: ${acc.at} has ${acc.n} rows but ${where} has ${n}; every leaf needs the same first dimension`,
      );
    }
  }
}

/** Converts every numeric leaf to a tensor once (strings arrays stay arrays). */
function prepare(v: unknown, where: string): unknown {
  const kind = nodeKind(v);
  if (kind === 'tuple') return (v as unknown[]).map((x, i) => prepare(x, `${where}[${i}]`));
  if (kind === 'record') {
    return Object.fromEntries(
      Object.entries(v as object).map(([k, x]) => [k, prepare(x, `${where}.${k}`)]),
    );
  }
  if (Array.isArray(v) && v.length > 0 && typeof v[0] === 'string') return v;
  const t = leafToTensor(v, where);
  if (t.rank === 0)
    throw new RangeError(`Dataset.fromTensorSlices: ${where} is a scalar (${describe(v)})`);
  return t;
}

/** Row `i` of every leaf: a tensor of rank - 1 (a copy), or the i-th string. */
function row(v: unknown, i: number): unknown {
  if (v instanceof Tensor) {
    const rowSize = v.size / v.shape[0]!;
    const data = DTYPES[v.dtype].create(rowSize);
    data.set(v.data.subarray(i * rowSize, (i + 1) * rowSize) as never);
    return new Tensor(data, v.shape.slice(1), v.dtype);
  }
  if (Array.isArray(v) && nodeKind(v) === 'leaf') return v[i];
  if (Array.isArray(v)) return v.map((x) => row(x, i));
  return Object.fromEntries(Object.entries(v as object).map(([k, x]) => [k, row(x, i)]));
}

/** A source yielding row i of every leaf of `value`, for i along the shared first axis. */
export function tensorSlices(value: unknown): {
  count: number;
  iterate: () => AsyncGenerator<unknown>;
} {
  const prepared = prepare(value, 'value');
  const acc = { n: null as number | null, at: '' };
  countRows(prepared, 'value', acc);
  const count = acc.n ?? 0;
  return {
    count,
    async *iterate() {
      for (let i = 0; i < count; i++) yield row(prepared, i);
    },
  };
}
