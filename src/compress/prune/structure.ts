/**
 * Which weights are pruned together. 'unstructured': single weights by |w|; '2:4': in each run
 * of 4 consecutive weights along the input axis, the 2 smallest (fixed 50%, as NVIDIA's sparse
 * tensor cores want); {block: [r, c]}: r×c blocks of the kernel seen as a matrix
 * [fan-in, outputs], by mean |w|; 'channel': whole output channels, by L2 norm.
 */
export type PruningStructure =
  | 'unstructured'
  | '2:4'
  | { block: readonly [number, number] }
  | 'channel';

/** Checks a structure argument; errors name `owner` and the argument. */
export function checkStructure(owner: string, value: unknown): PruningStructure {
  if (value === 'unstructured' || value === '2:4' || value === 'channel') return value;
  const block = (value as { block?: unknown } | null)?.block;
  if (
    Array.isArray(block) &&
    block.length === 2 &&
    block.every((d) => Number.isInteger(d) && d >= 1)
  ) {
    return { block: [block[0], block[1]] };
  }
  throw new RangeError(
    `${owner}: structure must be 'unstructured', '2:4', 'channel' or {block: [rows, cols]} of positive integers, got ${JSON.stringify(value)}`,
  );
}

export function describeStructure(s: PruningStructure): string {
  return typeof s === 'string' ? s : `block ${s.block[0]}x${s.block[1]}`;
}

/** Throws unless `structure` can be applied to a kernel of this shape ('2:4' needs fan-in runs of 4). */
export function checkApplicable(
  owner: string,
  structure: PruningStructure,
  shape: readonly number[],
  what: string,
): void {
  if (structure === '2:4' && (shape.length < 2 || shape[shape.length - 2]! % 4 !== 0)) {
    throw new RangeError(
      `${owner}: structure '2:4' needs the input axis (the one before last) of ${what} [${shape}] to be a multiple of 4`,
    );
  }
}

/** Groups of one kernel: the group of each weight (null: each weight its own) and their scores. */
export interface WeightGroups {
  groupOf: Int32Array | null;
  sizes: Int32Array | null;
  scores: Float64Array;
}

/** The groups and scores of a kernel under a thresholded structure (not '2:4'). */
export function weightGroups(
  w: Float32Array,
  shape: readonly number[],
  structure: Exclude<PruningStructure, '2:4'>,
): WeightGroups {
  const n = w.length;
  if (structure === 'unstructured') {
    const scores = new Float64Array(n);
    for (let i = 0; i < n; i++) scores[i] = Math.abs(w[i]!);
    return { groupOf: null, sizes: null, scores };
  }
  const cols = shape.length === 0 ? 1 : shape[shape.length - 1]!;
  const [r, c] = structure === 'channel' ? [Math.max(1, n / cols), 1] : structure.block;
  const blockCols = Math.ceil(cols / c);
  const count = Math.ceil(n / cols / r) * blockCols;
  const groupOf = new Int32Array(n);
  const sizes = new Int32Array(count);
  const sums = new Float64Array(count);
  for (let i = 0; i < n; i++) {
    const g = Math.floor(Math.floor(i / cols) / r) * blockCols + Math.floor((i % cols) / c);
    groupOf[i] = g;
    sizes[g]!++;
    const v = w[i]!;
    sums[g]! += structure === 'channel' ? v * v : Math.abs(v);
  }
  for (let g = 0; g < count; g++) {
    sums[g] = structure === 'channel' ? Math.sqrt(sums[g]!) : sums[g]! / sizes[g]!;
  }
  return { groupOf, sizes, scores: sums };
}

/** The 2:4 mask: in each run of 4 along the input axis (axis −2), keep the 2 largest |w|. */
export function twoFourMask(w: Float32Array, shape: readonly number[]): Uint8Array {
  const out = shape[shape.length - 1]!;
  const fanIn = shape[shape.length - 2]!;
  const outer = w.length / (fanIn * out);
  const mask = new Uint8Array(w.length);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < fanIn; i += 4) {
      for (let j = 0; j < out; j++) {
        const at = (k: number) => (o * fanIn + i + k) * out + j;
        // Rank the 4 by |w| (ties: the earlier one is larger) and keep the top 2.
        const idx = [0, 1, 2, 3].sort((a, b) => Math.abs(w[at(b)]!) - Math.abs(w[at(a)]!) || a - b);
        mask[at(idx[0]!)] = 1;
        mask[at(idx[1]!)] = 1;
      }
    }
  }
  return mask;
}
