import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { SliceAttrs } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape, shapesEqual } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { pad } from './pad.js';

/**
 * The block of x starting at `begin` with extent `size` per axis (-1 = to the end of the axis;
 * missing trailing axes are taken whole; a number stands for the first axis).
 * `slice(x, [0, 1], [2, -1])` is x[0:2, 1:]. Gradient: dy padded back with zeros.
 */
export function slice(
  xLike: TensorLike,
  begin: number | readonly number[],
  size?: number | readonly number[],
): Tensor {
  const x = toTensor(xLike);
  const b = typeof begin === 'number' ? [begin] : [...begin];
  const s = size === undefined ? [] : typeof size === 'number' ? [size] : [...size];
  const where = () =>
    `begin ${formatShape(b)} and size ${formatShape(s)} for a tensor of shape ${formatShape(x.shape)}`;
  if (b.length > x.rank || s.length > b.length)
    throw new RangeError(
      `slice: ${where()}: begin may not be longer than the rank, nor size longer than begin`,
    );
  const start: number[] = [];
  const outShape: number[] = [];
  for (let d = 0; d < x.rank; d++) {
    const dim = x.shape[d]!;
    const bd = b[d] ?? 0;
    const sd = s[d] ?? -1;
    if (!Number.isInteger(bd) || bd < 0 || bd > dim)
      throw new RangeError(`slice: ${where()}: begin[${d}] = ${bd} is outside [0, ${dim}]`);
    const extent = sd === -1 ? dim - bd : sd;
    if (!Number.isInteger(extent) || extent < 0 || bd + extent > dim)
      throw new RangeError(
        `slice: ${where()}: size[${d}] = ${sd} does not fit axis ${d} of size ${dim} from ${bd}`,
      );
    start.push(bd);
    outShape.push(extent);
  }
  if (shapesEqual(outShape, x.shape)) return x;
  const y = emptyTensor(outShape, x.dtype);
  runKernel('slice', [x], [y], { begin: start } satisfies SliceAttrs);
  return record('slice', [x], y, (dy) => [
    pad(
      dy,
      start.map((bd, d) => [bd, x.shape[d]! - bd - outShape[d]!] as [number, number]),
    ),
  ]);
}
