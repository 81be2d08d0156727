import { Rng } from '../../random/rng.js';
import { Tensor } from '../../tensor/tensor.js';
import { exactDuplicates } from './duplicates.js';
import {
  type NearDuplicateOptions,
  nearDuplicateTexts,
  nearDuplicateVectors,
} from './near-duplicates.js';
import type { Samples } from './rows.js';
import { sampleCount } from './rows.js';

/**
 * Connected components of the "is a duplicate of" relation over n samples (union-find with path
 * halving): group ids [n], numbered 0.. in order of each group's first sample.
 * @example
 * duplicateGroups(4, [[0, 2], [2, 3]]); // Int32Array [0, 1, 0, 0]
 */
export function duplicateGroups(n: number, pairs: Iterable<readonly [number, number]>): Int32Array {
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]!]!;
      i = parent[i]!;
    }
    return i;
  };
  for (const [a, b] of pairs) {
    if (!(Number.isInteger(a) && Number.isInteger(b) && a >= 0 && b >= 0 && a < n && b < n))
      throw new RangeError(`duplicateGroups: pair [${a}, ${b}] is not two indices in [0, ${n})`);
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  }
  const id = new Map<number, number>();
  return Int32Array.from({ length: n }, (_, i) => {
    const r = find(i);
    if (!id.has(r)) id.set(r, id.size);
    return id.get(r)!;
  });
}

/** A train/test split by sample index. */
export interface Split {
  train: Int32Array;
  test: Int32Array;
}

/**
 * Group split: whole groups are dealt to the test set in a seeded random order until it holds
 * `testFraction` of the samples, so no group straddles the two sides.
 */
export function groupSplit(
  groups: ArrayLike<number>,
  options: { testFraction?: number; seed?: number } = {},
): Split {
  const fraction = options.testFraction ?? 0.2;
  if (!(fraction > 0 && fraction < 1))
    throw new RangeError(`groupSplit: testFraction must lie in (0, 1), got ${fraction}`);
  const members = new Map<number, number[]>();
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i]!;
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  }
  const lists = [...members.values()];
  const target = Math.round(fraction * groups.length);
  const inTest = new Uint8Array(groups.length);
  let size = 0;
  for (const p of new Rng(options.seed ?? 0).permutation(lists.length)) {
    if (size >= target) break;
    const list = lists[p]!;
    // A big group that would overshoot the target more than it fills goes to training.
    if (size + list.length - target > target - size) continue;
    for (const i of list) inTest[i] = 1;
    size += list.length;
  }
  const all = Int32Array.from({ length: groups.length }, (_, i) => i);
  return { train: all.filter((i) => !inTest[i]), test: all.filter((i) => inTest[i]) };
}

/** What `leakageFreeSplit` returns: the split, each sample's duplicate group, and the pairs. */
export interface LeakageFreeSplit extends Split {
  groups: Int32Array;
  /** Exact and near-duplicate pairs found (indices into the samples). */
  pairs: [number, number][];
}

/**
 * A split with no exact or near duplicate across train and test: duplicate pairs (SHA-256 and
 * MinHash/LSH for text, cosine LSH for tensor rows) joined into groups, then `groupSplit`.
 * @example
 * const { train, test } = leakageFreeSplit(emails, { testFraction: 0.2 });
 */
export function leakageFreeSplit(
  samples: Samples,
  options: NearDuplicateOptions & { testFraction?: number; seed?: number } = {},
): LeakageFreeSplit {
  const n = sampleCount(samples);
  const pairs: [number, number][] = [];
  for (const g of exactDuplicates(samples)) for (const i of g.slice(1)) pairs.push([g[0]!, i]);
  const near =
    samples instanceof Tensor
      ? nearDuplicateVectors(samples, null, options)
      : nearDuplicateTexts(samples, null, options);
  for (const p of near) pairs.push([p.i, p.j]);
  const groups = duplicateGroups(n, pairs);
  return { ...groupSplit(groups, options), groups, pairs };
}
