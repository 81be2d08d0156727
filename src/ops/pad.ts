import { record } from '../autograd/tape.js';
import { runKernel } from '../backends/index.js';
import type { PadAttrs, PadMode } from '../backends/kernels.js';
import { type TensorLike, toTensor } from '../tensor/create.js';
import { formatShape } from '../tensor/shape.js';
import { emptyTensor, type Tensor } from '../tensor/tensor.js';
import { add } from './add.js';
import { reverse } from './reverse.js';
import { slice } from './slice.js';

export type { PadMode } from '../backends/kernels.js';

/**
 * Adds paddings[d] = [before, after] elements around each axis d: `constantValue` in 'constant'
 * mode, a mirror image in 'reflect' ([1 2 3] -> 3 2 1 2 3 2 1) or 'symmetric' (2 1 1 2 3 3 2) mode.
 * `pad(x, [[0, 0], [1, 1]])` turns [2, 3] into [2, 5]. Gradient: the slice of dy over x (plus the
 * mirrored parts folded back in reflect/symmetric mode).
 */
export function pad(
  xLike: TensorLike,
  paddings: readonly (readonly [number, number])[],
  constantValue = 0,
  mode: PadMode = 'constant',
): Tensor {
  const x = toTensor(xLike);
  const described = `[${paddings.map((p) => `[${p.join(', ')}]`).join(', ')}]`;
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'symmetric')
    throw new RangeError(
      `pad: unknown mode '${String(mode)}'; expected 'constant', 'reflect' or 'symmetric'`,
    );
  if (paddings.length !== x.rank)
    throw new RangeError(
      `pad: paddings ${described} has ${paddings.length} entries, expected one [before, after] per axis of shape ${formatShape(x.shape)}`,
    );
  const outShape = x.shape.map((dim, d) => {
    const p = paddings[d]!;
    if (p.length !== 2 || p.some((v) => !Number.isInteger(v) || v < 0))
      throw new RangeError(
        `pad: paddings ${described}: entry ${d} must be [before, after] with integers >= 0`,
      );
    // A mirror reaches at most dim - 1 elements ('reflect') or dim elements ('symmetric') deep.
    const limit = mode === 'reflect' ? dim - 1 : mode === 'symmetric' ? dim : Infinity;
    if (Math.max(p[0], p[1]) > Math.max(limit, 0))
      throw new RangeError(
        `pad: paddings ${described}: ${mode} padding of axis ${d} must be at most ${limit} for shape ${formatShape(x.shape)}`,
      );
    return dim + p[0] + p[1];
  });
  if (paddings.every((p) => p[0] === 0 && p[1] === 0)) return x;
  const y = emptyTensor(outShape, x.dtype);
  const attrs: PadAttrs = {
    paddings: paddings.map((p) => [p[0], p[1]] as [number, number]),
    constantValue,
    mode,
  };
  runKernel('pad', [x], [y], attrs);
  return record('pad', [x], y, (dy) => {
    let g = dy;
    for (let d = 0; d < x.rank; d++) g = padAxisGrad(g, d, paddings[d]!, x.shape[d]!, mode);
    return [g];
  });
}

/** The gradient of padding axis d alone: the centre of g, plus the mirrored borders folded back. */
function padAxisGrad(
  g: Tensor,
  d: number,
  [before, after]: readonly [number, number],
  n: number,
  mode: PadMode,
): Tensor {
  if (before === 0 && after === 0) return g;
  const begin = (at: number) => g.shape.map((_, e) => (e === d ? at : 0));
  const size = (len: number) => g.shape.map((dim, e) => (e === d ? len : dim));
  const widths = (lo: number, hi: number) =>
    g.shape.map((_, e) => (e === d ? [lo, hi] : [0, 0]) as [number, number]);
  let dx = slice(g, begin(before), size(n));
  if (mode === 'constant') return dx;
  // Output position before - 1 - k mirrors input k + 1 (reflect) or k (symmetric), and similarly
  // at the far end, so each border reversed lands on a run of inputs next to the edge.
  const edge = mode === 'reflect' ? 1 : 0;
  if (before > 0) {
    const left = reverse(slice(g, begin(0), size(before)), d);
    dx = add(dx, pad(left, widths(edge, n - before - edge)));
  }
  if (after > 0) {
    const right = reverse(slice(g, begin(before + n), size(after)), d);
    dx = add(dx, pad(right, widths(n - after - edge, edge)));
  }
  return dx;
}
