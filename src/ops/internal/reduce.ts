import { runKernel } from '../../backends/index.js';
import type { ReduceAttrs } from '../../backends/kernels.js';
import { type TensorLike, toTensor } from '../../tensor/create.js';
import { checkDType, type DType } from '../../tensor/dtype.js';
import { normalizeAxes } from '../../tensor/shape.js';
import { emptyTensor, type Tensor } from '../../tensor/tensor.js';
import { transpose } from '../transpose.js';

export interface ReduceSpec {
  x: Tensor;
  /** The reduced axes, sorted. */
  axes: number[];
  /** Output shape with the reduced axes kept as 1 (for broadcasting gradients back). */
  keptShape: number[];
  /** Output shape as requested (reduced axes dropped unless keepDims). */
  outShape: number[];
}

/** Normalises the axes of a reduction and computes its output shapes. */
export function reduceSpec(
  op: string,
  xLike: TensorLike,
  axis: number | readonly number[] | undefined,
  keepDims: boolean,
): ReduceSpec {
  const x = toTensor(xLike);
  const axes = normalizeAxes(op, axis, x.rank);
  const keptShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const outShape = keepDims ? keptShape : x.shape.filter((_, i) => !axes.includes(i));
  return { x, axes, keptShape, outShape };
}

/**
 * Runs the 'reduce' kernel over `axes`. Non-adjacent axes are first moved to the end by a transpose,
 * so the kernel only ever sees an [outer, reduced, inner] view.
 */
export function runReduce(op: ReduceAttrs['op'], spec: ReduceSpec, outDType: DType): Tensor {
  const { axes } = spec;
  let x = spec.x;
  checkDType(op, 'x', x.dtype, ['float32', 'int32', 'bool']);
  const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
  let first = axes[0] ?? x.rank;
  if (!contiguous) {
    const keep = x.shape.map((_, i) => i).filter((i) => !axes.includes(i));
    x = transpose(x, [...keep, ...axes]);
    first = keep.length;
  }
  let outer = 1;
  let reduced = 1;
  let inner = 1;
  for (let i = 0; i < x.rank; i++) {
    if (i < first) outer *= x.shape[i]!;
    else if (i < first + axes.length) reduced *= x.shape[i]!;
    else inner *= x.shape[i]!;
  }
  const y = emptyTensor(spec.outShape, outDType);
  if (
    reduced === 0 &&
    (op === 'max' || op === 'min' || op === 'argmax' || op === 'argmin') &&
    y.size > 0
  ) {
    throw new RangeError(
      `${op}: cannot reduce over an empty axis of shape [${spec.x.shape.join(', ')}]`,
    );
  }
  runKernel('reduce', [x], [y], { op, outer, reduced, inner } satisfies ReduceAttrs);
  return y;
}
