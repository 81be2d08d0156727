import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { checkDType } from '../tensor/dtype.js';
import { formatShape } from '../tensor/shape.js';
import { emptyTensor, Tensor } from '../tensor/tensor.js';
import { gather } from './gather.js';
import { toIndexTensor } from './internal/indices.js';
import { pad } from './pad.js';

/**
 * y[s, ...] = sum of x[j..., ...] over the positions j where segmentIds[j...] = s; segmentIds.shape
 * is a prefix of x.shape and y is [numSegments, ...x.shape[segmentIds.rank:]]. Negative ids are
 * dropped, as in TensorFlow. `unsortedSegmentSum([1, 2, 3], [0, 1, 0], 2)` is [4, 2].
 * Gradient: dy gathered by segmentIds (0 for dropped rows).
 */
export function unsortedSegmentSum(
  xLike: TensorLike,
  segmentIdsLike: TensorLike,
  numSegments: number,
): Tensor {
  const x = toTensor(xLike);
  const ids = toIndexTensor('unsortedSegmentSum', 'segmentIds', segmentIdsLike);
  checkDType('unsortedSegmentSum', 'x', x.dtype, ['float32', 'int32']);
  if (!Number.isInteger(numSegments) || numSegments < 0)
    throw new RangeError(
      `unsortedSegmentSum: numSegments must be an integer >= 0, got ${numSegments}`,
    );
  if (ids.rank > x.rank || ids.shape.some((d, i) => d !== x.shape[i]))
    throw new RangeError(
      `unsortedSegmentSum: segmentIds shape ${formatShape(ids.shape)} must be a prefix of x shape ${formatShape(x.shape)}`,
    );
  let dropped = false;
  for (let j = 0; j < ids.size; j++) {
    const s = ids.data[j]!;
    if (s >= numSegments)
      throw new RangeError(
        `unsortedSegmentSum: segment id ${s} is out of range for numSegments ${numSegments}`,
      );
    if (s < 0) dropped = true;
  }
  const inner = x.shape.slice(ids.rank);
  const y = emptyTensor([numSegments, ...inner], x.dtype);
  runKernel('unsortedSegmentSum', [x, ids], [y], { numSegments });
  return record('unsortedSegmentSum', [x, ids], y, (dy) => {
    if (!dropped) return [gather(dy, ids, 0), null];
    // Dropped rows read an extra all-zero segment appended to dy.
    const padded = pad(
      dy,
      dy.shape.map((_, i) => [0, i === 0 ? 1 : 0] as [number, number]),
    );
    const remapped = ids.data.map((s) => (s < 0 ? numSegments : s));
    return [gather(padded, new Tensor(remapped, ids.shape, 'int32'), 0), null];
  });
}
