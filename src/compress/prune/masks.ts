import { type PruningStructure, twoFourMask, weightGroups } from './structure.js';

/** A kernel to prune: its values and shape. */
export interface KernelValues {
  values: Float32Array;
  shape: readonly number[];
}

/**
 * Magnitude masks (1 keep, 0 prune) for `kernels`: the lowest-scoring groups are pruned until
 * `sparsity` of the weights would be exceeded, per kernel ('layer') or under one threshold over
 * all of them ('global'). '2:4' ignores `sparsity` beyond "prune or not" (it is always 50%).
 * `magnitudeMasks([{ values: w.data, shape: w.shape }], 0.9, 'unstructured', 'layer')`
 */
export function magnitudeMasks(
  kernels: readonly KernelValues[],
  sparsity: number,
  structure: PruningStructure,
  scope: 'layer' | 'global',
): Uint8Array[] {
  if (sparsity <= 0) return kernels.map((k) => new Uint8Array(k.values.length).fill(1));
  if (structure === '2:4') return kernels.map((k) => twoFourMask(k.values, k.shape));
  const groups = kernels.map((k) => weightGroups(k.values, k.shape, structure));
  const sets = scope === 'global' ? [groups.map((_, i) => i)] : groups.map((_, i) => [i]);
  const pruned = groups.map((g) => new Uint8Array(g.scores.length));
  for (const set of sets) pruneLowest(set, groups, kernels, pruned, sparsity);
  return kernels.map((k, t) => {
    const { groupOf } = groups[t]!;
    const p = pruned[t]!;
    const mask = new Uint8Array(k.values.length);
    for (let i = 0; i < mask.length; i++) mask[i] = p[groupOf ? groupOf[i]! : i] ? 0 : 1;
    return mask;
  });
}

/** Marks the lowest-scoring groups of the kernels in `set` (ties: earlier first) as pruned. */
function pruneLowest(
  set: readonly number[],
  groups: ReturnType<typeof weightGroups>[],
  kernels: readonly KernelValues[],
  pruned: Uint8Array[],
  sparsity: number,
): void {
  let total = 0;
  let count = 0;
  for (const t of set) {
    total += kernels[t]!.values.length;
    count += groups[t]!.scores.length;
  }
  const owner = new Int32Array(count);
  const local = new Int32Array(count);
  const scores = new Float64Array(count);
  let k = 0;
  for (const t of set) {
    const s = groups[t]!.scores;
    for (let g = 0; g < s.length; g++, k++) {
      owner[k] = t;
      local[k] = g;
      scores[k] = s[g]!;
    }
  }
  const order = new Int32Array(count).map((_, i) => i);
  order.sort((a, b) => scores[a]! - scores[b]! || a - b);
  const target = Math.round(sparsity * total);
  let done = 0;
  for (const i of order) {
    const t = owner[i]!;
    const g = local[i]!;
    const size = groups[t]!.sizes ? groups[t]!.sizes![g]! : 1;
    if (done + size > target) break;
    pruned[t]![g] = 1;
    done += size;
  }
}
