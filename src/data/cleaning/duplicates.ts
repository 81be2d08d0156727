import { createHash } from 'node:crypto';
import { Tensor } from '../../tensor/tensor.js';
import { rowOf, type Samples, sampleCount } from './rows.js';

/** SHA-256 of each sample: its bytes for a tensor row, its UTF-8 text for a string. */
export function sampleHashes(samples: Samples): string[] {
  const n = sampleCount(samples);
  return Array.from({ length: n }, (_, i) => {
    const h = createHash('sha256');
    if (samples instanceof Tensor) {
      const r = rowOf(samples, i);
      h.update(new Uint8Array(r.buffer, r.byteOffset, r.byteLength));
    } else h.update(samples[i]!);
    return h.digest('hex');
  });
}

/** Groups of indices whose samples are byte-identical (groups of 2 or more, first index first). */
export function exactDuplicates(samples: Samples): number[][] {
  const groups = new Map<string, number[]>();
  sampleHashes(samples).forEach((h, i) => {
    const g = groups.get(h);
    if (g) g.push(i);
    else groups.set(h, [i]);
  });
  return [...groups.values()].filter((g) => g.length > 1);
}

/** Pairs [trainIndex, testIndex] of identical samples shared by the two sets (leakage). */
export function crossDuplicates(train: Samples, test: Samples): [number, number][] {
  const first = new Map<string, number>();
  sampleHashes(train).forEach((h, i) => {
    if (!first.has(h)) first.set(h, i);
  });
  const out: [number, number][] = [];
  sampleHashes(test).forEach((h, j) => {
    const i = first.get(h);
    if (i !== undefined) out.push([i, j]);
  });
  return out;
}
