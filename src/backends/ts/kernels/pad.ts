import { stridesOf } from '../../../tensor/shape.js';
import type { Tensor } from '../../../tensor/tensor.js';
import type { PadAttrs, PadMode } from '../../kernels.js';
import { mappedCopy } from './strided.js';

/** The source index along an axis of size n for output position i, or -1 for the constant. */
function sourceIndex(i: number, before: number, n: number, mode: PadMode): number {
  const j = i - before;
  if (j >= 0 && j < n) return j;
  if (mode === 'constant') return -1;
  if (mode === 'reflect') return j < 0 ? -j : 2 * n - 2 - j;
  return j < 0 ? -j - 1 : 2 * n - 1 - j;
}

export function padKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  attrs: PadAttrs,
): void {
  const x = inputs[0]!;
  const y = outputs[0]!;
  const maps = y.shape.map((size, d) => {
    const m = new Int32Array(size);
    const before = attrs.paddings[d]![0];
    for (let i = 0; i < size; i++) m[i] = sourceIndex(i, before, x.shape[d]!, attrs.mode);
    return m;
  });
  mappedCopy(x.data, maps, stridesOf(x.shape), y.data, y.shape, attrs.constantValue);
}
