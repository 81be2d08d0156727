import { Rng } from '../../random/rng.js';
import type { Tensor } from '../../tensor/tensor.js';

/** Options of the near-duplicate search. */
export interface NearDuplicateOptions {
  /** Similarity at or above which two samples are near duplicates (Jaccard for text, default 0.8; cosine for vectors, default 0.98). */
  threshold?: number;
  /** LSH bands × rows per band (text: 32 × 4 MinHash values; vectors: 8 × 12 hyperplane bits). */
  bands?: number;
  rowsPerBand?: number;
  /** Words per shingle for text (default 3). */
  shingle?: number;
  seed?: number;
}

/** A near-duplicate pair: indices (into a, and into b or a) and their similarity. */
export interface SimilarPair {
  i: number;
  j: number;
  similarity: number;
}

const MERSENNE = 2 ** 31 - 1;

function hashString(s: string): number {
  let h = 2166136261;
  for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 16777619);
  return (h >>> 0) % MERSENNE;
}

/** The set of word k-shingles of a text (lower case, punctuation ignored), hashed. */
export function shingles(text: string, k = 3): Set<number> {
  const words = text.toLowerCase().match(/[a-z0-9']+/g) ?? [];
  const out = new Set<number>();
  if (words.length < k) {
    if (words.length > 0) out.add(hashString(words.join(' ')));
    return out;
  }
  for (let i = 0; i + k <= words.length; i++) out.add(hashString(words.slice(i, i + k).join(' ')));
  return out;
}

function jaccard(a: Set<number>, b: Set<number>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/** MinHash signatures (permutations h(x) = (a·x + b) mod p) of shingle sets. */
function minhash(sets: readonly Set<number>[], count: number, seed: number): Uint32Array[] {
  const rng = new Rng(seed);
  // a·x would overflow 2^53, so a = aHi·2^16 + aLo and each part is reduced mod p separately.
  const a = Array.from({ length: count }, () => 1 + rng.int(MERSENNE - 1));
  const aHi = a.map((v) => Math.floor(v / 65536));
  const aLo = a.map((v) => v % 65536);
  const bn = Array.from({ length: count }, () => rng.int(MERSENNE));
  return sets.map((s) => {
    const sig = new Uint32Array(count).fill(0xffffffff);
    for (const x of s) {
      for (let k = 0; k < count; k++) {
        const hi = (aHi[k]! * x) % MERSENNE;
        const v = (((hi * 65536) % MERSENNE) + aLo[k]! * x + bn[k]!) % MERSENNE;
        if (v < sig[k]!) sig[k] = v;
      }
    }
    return sig;
  });
}

/** Candidate pairs: items sharing one whole band of their signature. */
function lshCandidates(keys: readonly string[][], nA: number, cross: boolean): Set<number> {
  const pairs = new Set<number>();
  const bands = keys[0]?.length ?? 0;
  const total = keys.length;
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < total; i++) {
      const key = keys[i]![band]!;
      const list = buckets.get(key);
      if (list) list.push(i);
      else buckets.set(key, [i]);
    }
    for (const list of buckets.values()) {
      for (let x = 0; x < list.length; x++) {
        for (let y = x + 1; y < list.length; y++) {
          const i = list[x]!;
          const j = list[y]!;
          if (cross && i < nA === j < nA) continue;
          pairs.add(i * total + j);
        }
      }
    }
  }
  return pairs;
}

function bandKeys(sig: ArrayLike<number>, bands: number, rows: number): string[] {
  return Array.from({ length: bands }, (_, b) =>
    Array.prototype.slice.call(sig, b * rows, (b + 1) * rows).join(','),
  );
}

/**
 * Near-duplicate texts by MinHash + LSH over word shingles, verified by exact Jaccard similarity.
 * With `b`, only pairs across a and b (i in a, j in b) are returned: train/test leakage.
 */
export function nearDuplicateTexts(
  a: readonly string[],
  b: readonly string[] | null = null,
  options: NearDuplicateOptions = {},
): SimilarPair[] {
  const threshold = options.threshold ?? 0.8;
  const bands = options.bands ?? 32;
  const rows = options.rowsPerBand ?? 4;
  const all = b ? [...a, ...b] : [...a];
  const sets = all.map((t) => shingles(t, options.shingle ?? 3));
  const sigs = minhash(sets, bands * rows, options.seed ?? 1);
  const candidates = lshCandidates(
    sigs.map((s) => bandKeys(s, bands, rows)),
    a.length,
    b !== null,
  );
  const out: SimilarPair[] = [];
  for (const key of candidates) {
    const i = Math.floor(key / all.length);
    const j = key % all.length;
    const sim = jaccard(sets[i]!, sets[j]!);
    if (sim >= threshold) out.push({ i, j: b ? j - a.length : j, similarity: sim });
  }
  return out.sort((p, q) => p.i - q.i || p.j - q.j);
}

/**
 * Near-duplicate vectors (images, embeddings; rows of [n, ...]) by random-hyperplane LSH,
 * verified by exact cosine similarity. With `b`, only pairs across a and b.
 */
export function nearDuplicateVectors(
  a: Tensor,
  b: Tensor | null = null,
  options: NearDuplicateOptions = {},
): SimilarPair[] {
  const threshold = options.threshold ?? 0.98;
  const bands = options.bands ?? 8;
  const rows = options.rowsPerBand ?? 12;
  const nA = a.shape[0]!;
  const dim = a.size / Math.max(1, nA);
  if (b && b.size / Math.max(1, b.shape[0]!) !== dim) {
    throw new RangeError(
      `nearDuplicateVectors: rows of a have ${dim} values but rows of b have ${b.size / b.shape[0]!}`,
    );
  }
  const n = nA + (b ? b.shape[0]! : 0);
  const row = (i: number) =>
    i < nA
      ? a.data.subarray(i * dim, (i + 1) * dim)
      : b!.data.subarray((i - nA) * dim, (i - nA + 1) * dim);
  const norms = Float64Array.from({ length: n }, (_, i) => {
    const r = row(i);
    let s = 0;
    for (let k = 0; k < dim; k++) s += r[k]! * r[k]!;
    return Math.sqrt(s);
  });
  const mean = new Float64Array(dim);
  for (let i = 0; i < n; i++) {
    const r = row(i);
    for (let k = 0; k < dim; k++) mean[k]! += r[k]! / (norms[i]! || 1) / n;
  }
  const rng = new Rng(options.seed ?? 1);
  const planes = Array.from({ length: bands * rows }, () =>
    Float64Array.from({ length: dim }, () => rng.normal()),
  );
  // Hyperplanes through the mean direction split the (often all-positive) data evenly.
  const keys = Array.from({ length: n }, (_, i) => {
    const r = row(i);
    const bits = planes.map((p) => {
      let s = 0;
      for (let k = 0; k < dim; k++) s += p[k]! * (r[k]! / (norms[i]! || 1) - mean[k]!);
      return s >= 0 ? 1 : 0;
    });
    return bandKeys(bits, bands, rows);
  });
  const out: SimilarPair[] = [];
  for (const key of lshCandidates(keys, nA, b !== null)) {
    const i = Math.floor(key / n);
    const j = key % n;
    const ri = row(i);
    const rj = row(j);
    let dot = 0;
    for (let k = 0; k < dim; k++) dot += ri[k]! * rj[k]!;
    const sim =
      norms[i]! === 0 || norms[j]! === 0
        ? norms[i] === norms[j]
          ? 1
          : 0
        : dot / (norms[i]! * norms[j]!);
    if (sim >= threshold) out.push({ i, j: b ? j - nA : j, similarity: sim });
  }
  return out.sort((p, q) => p.i - q.i || p.j - q.j);
}
