/** Naive index-by-index references for the shape op tests (the specification the kernels are compared with). */
import { stridesOf } from '../../src/tensor/shape.js';
import { Tensor } from '../../src/tensor/tensor.js';

/** Calls fn for every multi-index of `shape`, in row-major order. */
export function forEachIndex(shape: readonly number[], fn: (index: number[]) => void): void {
  const n = shape.reduce((a, b) => a * b, 1);
  const index = new Array<number>(shape.length).fill(0);
  for (let k = 0; k < n; k++) {
    fn([...index]);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) break;
      index[d] = 0;
    }
  }
}

/** x[index] for a multi-index. */
export function valueAt(x: Tensor, index: readonly number[]): number {
  const s = stridesOf(x.shape);
  let off = 0;
  for (let d = 0; d < index.length; d++) off += index[d]! * s[d]!;
  return x.data[off]!;
}

/** A float32 tensor of `shape` whose element at each index is fn(index). */
export function build(shape: readonly number[], fn: (index: number[]) => number): Tensor {
  const values: number[] = [];
  forEachIndex(shape, (i) => values.push(fn(i)));
  return new Tensor(Float32Array.from(values), shape, 'float32');
}
