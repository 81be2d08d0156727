/** Keras's DEFAULT_STRIP_REGEX: the ASCII punctuation TextVectorization removes. */
export const STRIP_PUNCTUATION = /[!"#$%&()*+,\-./:;<=>?@[\\\]^_`{|}~']/g;

/** Built-in text standardizations: lowercase, strip punctuation, or both. */
export type StandardizeMode = 'lower_and_strip_punctuation' | 'lower' | 'strip_punctuation';
/** A built-in standardization, none (null), or a function of the text. */
export type Standardize = StandardizeMode | null | ((text: string) => string);

/** Built-in splits: on whitespace, or into characters. */
export type SplitMode = 'whitespace' | 'character';
/** A built-in split, none (null), or a function returning the tokens. */
export type Split = SplitMode | null | ((text: string) => string[]);

/** Applies a standardize option to one text. `standardizeText('Hi, you!', 'lower_and_strip_punctuation')` is 'hi you'. */
export function standardizeText(text: string, mode: Standardize): string {
  if (mode === null) return text;
  if (typeof mode === 'function') return mode(text);
  const lowered = mode === 'strip_punctuation' ? text : text.toLowerCase();
  return mode === 'lower' ? lowered : lowered.replace(STRIP_PUNCTUATION, '');
}

/** Applies a split option: runs of whitespace, single characters, or the whole text as one token. */
export function splitText(text: string, mode: Split): string[] {
  if (mode === null) return [text];
  if (typeof mode === 'function') return mode(text);
  if (mode === 'character') return Array.from(text);
  return text.split(/\s+/).filter((t) => t.length > 0);
}

/** The n-grams of sizes `sizes`, joined by a space (Keras's tf.strings.ngrams), in size order. */
export function ngramsOf(tokens: readonly string[], sizes: readonly number[]): string[] {
  const out: string[] = [];
  for (const n of sizes)
    for (let i = 0; i + n <= tokens.length; i++) out.push(tokens.slice(i, i + n).join(' '));
  return out;
}
