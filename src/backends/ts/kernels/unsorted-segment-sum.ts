import type { Tensor } from '../../../tensor/tensor.js';

/**
 * data viewed as [m, inner] with segmentIds flattened to [m]; y is [numSegments, inner], zeroed by
 * the op: y[s] = sum of data rows j with segmentIds[j] = s. Negative ids are skipped (TensorFlow's
 * rule); ids >= numSegments were rejected by the op. A sparse scatter-add: O(m * inner).
 */
export function unsortedSegmentSumKernel(
  inputs: readonly Tensor[],
  outputs: readonly Tensor[],
  _attrs: { numSegments: number },
): void {
  const xd = inputs[0]!.data;
  const ids = inputs[1]!.data;
  const yd = outputs[0]!.data;
  const m = ids.length;
  if (m === 0) return;
  const inner = xd.length / m;
  for (let j = 0; j < m; j++) {
    const s = ids[j]!;
    if (s < 0) continue;
    const src = j * inner;
    const dst = s * inner;
    for (let i = 0; i < inner; i++) yd[dst + i]! += xd[src + i]!;
  }
}
