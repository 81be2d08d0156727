import { parseJsonGuarded } from '../utils/json-guard.js';
import { readTextFileSafe } from '../utils/safe-file.js';

/** GPT-2's pre-tokenizer: contractions, letters, numbers, other symbols, whitespace runs. */
const GPT2_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * GPT-2's bytes_to_unicode: each of the 256 bytes as a printable character. Printable Latin-1
 * bytes map to themselves; the others to 256 + n in order, so that no token holds whitespace or
 * control characters (a space becomes 'Ġ').
 */
export function bytesToUnicode(): string[] {
  const printable: number[] = [];
  for (const [a, b] of [
    [0x21, 0x7e],
    [0xa1, 0xac],
    [0xae, 0xff],
  ] as const)
    for (let c = a; c <= b; c++) printable.push(c);
  const table = new Array<string>(256);
  let n = 0;
  for (let b = 0; b < 256; b++)
    table[b] = String.fromCodePoint(printable.includes(b) ? b : 256 + n++);
  return table;
}

/** Options of `BytePairTokenizer`. */
export interface BytePairTokenizerArgs {
  /** Strings kept whole and never split (default: '<|endoftext|>' when the vocabulary has it). */
  specialTokens?: readonly string[];
}

/**
 * A byte-level BPE tokenizer reading GPT-2's vocab.json (token -> id) and merges.txt (one merge
 * "a b" per line, by priority, after a '#version' line). Text is split by GPT-2's pre-tokenizer
 * regex, each piece's UTF-8 bytes mapped through bytes_to_unicode and merged by rank; decoding
 * inverts the byte map, so any UTF-8 text round-trips. `BytePairTokenizer.fromFiles('vocab.json', 'merges.txt')`
 */
export class BytePairTokenizer {
  readonly vocabulary: ReadonlyMap<string, number>;
  private readonly idToToken: string[];
  private readonly ranks = new Map<string, number>();
  private readonly byteEncoder = bytesToUnicode();
  private readonly byteDecoder = new Map(this.byteEncoder.map((c, b) => [c, b]));
  private readonly cache = new Map<string, string[]>();
  private readonly special: RegExp | null;
  private readonly specialTokens: ReadonlySet<string>;

  constructor(
    vocabulary: Readonly<Record<string, number>>,
    merges: string | readonly string[],
    args: BytePairTokenizerArgs = {},
  ) {
    this.vocabulary = new Map(Object.entries(vocabulary));
    this.idToToken = [];
    for (const [token, id] of this.vocabulary) {
      // Ids are 0 .. size-1, each once: a huge id would make vocabularySize (an Embedding's
      // input dimension) billions, and a shared one would decode two tokens the same way.
      if (!Number.isInteger(id) || id < 0 || id >= this.vocabulary.size)
        throw new RangeError(
          `BytePairTokenizer: vocabulary id of ${JSON.stringify(token)} must be an integer in [0, ${this.vocabulary.size}) (one per token), got ${id}`,
        );
      if (this.idToToken[id] !== undefined)
        throw new RangeError(
          `BytePairTokenizer: vocabulary id ${id} is given to both ${JSON.stringify(this.idToToken[id])} and ${JSON.stringify(token)}`,
        );
      this.idToToken[id] = token;
    }
    const lines = typeof merges === 'string' ? merges.split('\n') : merges;
    lines.forEach((raw, i) => {
      const line = raw.replace(/\r$/, '');
      if (line === '' || (i === 0 && line.startsWith('#version'))) return;
      const parts = line.split(' ');
      if (parts.length !== 2 || !parts[0] || !parts[1])
        throw new RangeError(
          `BytePairTokenizer: merges line ${i + 1} must be two tokens separated by a space, got ${JSON.stringify(line)}`,
        );
      const key = `${parts[0]} ${parts[1]}`;
      if (!this.ranks.has(key)) this.ranks.set(key, this.ranks.size);
    });
    const specials = (args.specialTokens ?? ['<|endoftext|>']).filter((t) =>
      this.vocabulary.has(t),
    );
    this.specialTokens = new Set(specials);
    this.special = specials.length
      ? new RegExp(`(${specials.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})`)
      : null;
  }

  /** Reads GPT-2's vocab.json and merges.txt. */
  static fromFiles(
    vocabPath: string,
    mergesPath: string,
    args: BytePairTokenizerArgs = {},
  ): BytePairTokenizer {
    let vocab: unknown;
    try {
      vocab = parseJsonGuarded(
        readTextFileSafe(vocabPath, { what: 'BytePairTokenizer' }),
        vocabPath,
        {
          uniqueKeys: true,
          maxDepth: 2,
        },
      );
    } catch (e) {
      throw new Error(
        `BytePairTokenizer: cannot read ${vocabPath} as JSON: ${(e as Error).message}`,
      );
    }
    if (typeof vocab !== 'object' || vocab === null || Array.isArray(vocab))
      throw new TypeError(`BytePairTokenizer: ${vocabPath} must hold a JSON object of token -> id`);
    return new BytePairTokenizer(
      vocab as Record<string, number>,
      readTextFileSafe(mergesPath, { what: 'BytePairTokenizer' }),
      args,
    );
  }

  get vocabularySize(): number {
    return this.idToToken.length;
  }

  /** Token ids of `text`. */
  encode(text: string): number[] {
    const ids: number[] = [];
    const pieces = this.special ? text.split(this.special) : [text];
    pieces.forEach((piece, i) => {
      if (this.special && i % 2 === 1) {
        ids.push(this.vocabulary.get(piece)!);
        return;
      }
      for (const match of piece.matchAll(GPT2_PATTERN)) {
        const mapped = [...Buffer.from(match[0], 'utf8')].map((b) => this.byteEncoder[b]!).join('');
        for (const token of this.bpe(mapped)) {
          const id = this.vocabulary.get(token);
          if (id === undefined)
            throw new RangeError(
              `BytePairTokenizer: token ${JSON.stringify(token)} (from ${JSON.stringify(match[0])}) is not in the vocabulary`,
            );
          ids.push(id);
        }
      }
    });
    return ids;
  }

  /** The text of token ids (bytes that are not valid UTF-8 become U+FFFD). */
  decode(ids: readonly number[]): string {
    const bytes: number[] = [];
    for (const id of ids) {
      const token = this.idToToken[id];
      if (token === undefined)
        throw new RangeError(
          `BytePairTokenizer: id ${id} is not in the vocabulary (size ${this.vocabularySize})`,
        );
      if (this.specialTokens.has(token)) {
        bytes.push(...Buffer.from(token, 'utf8'));
        continue;
      }
      for (const ch of token) {
        const b = this.byteDecoder.get(ch);
        if (b === undefined)
          throw new RangeError(
            `BytePairTokenizer: token ${JSON.stringify(token)} (id ${id}) has a character outside the byte map`,
          );
        bytes.push(b);
      }
    }
    return Buffer.from(bytes).toString('utf8');
  }

  /** Merges the characters of one pre-token by rank, lowest first (GPT-2's bpe()). */
  private bpe(token: string): string[] {
    const cached = this.cache.get(token);
    if (cached) return cached;
    let word = [...token];
    while (word.length > 1) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i < word.length - 1; i++) {
        const r = this.ranks.get(`${word[i]} ${word[i + 1]}`);
        if (r !== undefined && r < bestRank) {
          bestRank = r;
          best = i;
        }
      }
      if (best < 0) break;
      const [a, b] = [word[best]!, word[best + 1]!];
      const merged: string[] = [];
      for (let i = 0; i < word.length; i++) {
        if (i < word.length - 1 && word[i] === a && word[i + 1] === b) {
          merged.push(a + b);
          i++;
        } else merged.push(word[i]!);
      }
      word = merged;
    }
    if (this.cache.size < 100_000) this.cache.set(token, word);
    return word;
  }
}
