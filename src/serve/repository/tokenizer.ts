/**
 * The vocabulary of a served language model, from `tokenizer.json` beside the model file:
 * `{"vocabulary": ["a", "b", ...]}` (token i is entry i; a character-level GPT's vocabulary is its
 * sorted characters). Encoding takes the longest matching entry at each position.
 */
import { readFileSync, statSync } from 'node:fs';
import { isJsonObject, parseJsonGuarded } from '../../utils/json-guard.js';

export class Tokenizer {
  private readonly ids = new Map<string, number>();
  private readonly longest: number;

  constructor(readonly vocabulary: readonly string[]) {
    vocabulary.forEach((t, i) => {
      if (!this.ids.has(t)) this.ids.set(t, i);
    });
    this.longest = Math.max(1, ...vocabulary.map((t) => t.length));
  }

  static read(path: string): Tokenizer {
    if (statSync(path).size > 64 * 2 ** 20) throw new Error(`${path}: larger than 64 MB`);
    const json = parseJsonGuarded(readFileSync(path, 'utf8'), path, { maxDepth: 4 });
    const vocabulary = isJsonObject(json) ? json['vocabulary'] : undefined;
    if (
      !Array.isArray(vocabulary) ||
      vocabulary.length === 0 ||
      !vocabulary.every((t) => typeof t === 'string' && t.length > 0)
    ) {
      throw new Error(`${path}: expected {"vocabulary": [non-empty strings]}`);
    }
    return new Tokenizer(vocabulary as string[]);
  }

  /** Token ids of `text`; an error naming the first character no entry covers. */
  encode(text: string): number[] {
    const out: number[] = [];
    for (let i = 0; i < text.length; ) {
      let id: number | undefined;
      let len = Math.min(this.longest, text.length - i);
      for (; len > 0; len--) {
        id = this.ids.get(text.slice(i, i + len));
        if (id !== undefined) break;
      }
      if (id === undefined) {
        throw new RangeError(
          `prompt: character ${JSON.stringify(text[i])} at ${i} is not in the model's vocabulary`,
        );
      }
      out.push(id);
      i += len;
    }
    return out;
  }

  decode(ids: readonly number[]): string {
    return ids.map((id) => this.vocabulary[id] ?? '').join('');
  }
}
