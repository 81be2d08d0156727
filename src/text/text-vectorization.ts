import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
  type SymbolicInput,
} from '../nn/engine/layer.js';
import type { SymbolicShape, SymbolicTensor } from '../nn/engine/symbolic-tensor.js';
import { singleInput, singleShape } from '../nn/layers/internal/args.js';
import { registerLayer } from '../nn/layers/registry.js';
import { Tensor } from '../tensor/tensor.js';
import { padSequences } from './pad-sequences.js';
import {
  ngramsOf,
  type Split,
  type Standardize,
  splitText,
  standardizeText,
} from './standardize.js';
import { tokenCounts, topTokens } from './vocabulary.js';

/** What `TextVectorization` outputs: token ids, or a multi-hot, count or TF-IDF vector. */
export type TextOutputMode = 'int' | 'multi_hot' | 'count' | 'tf_idf';

/** Options of `TextVectorization`. */
export interface TextVectorizationArgs extends LayerArgs {
  /** Vocabulary size including the special tokens ('' and '[UNK]' in 'int' mode, '[UNK]' otherwise). */
  maxTokens?: number | null;
  standardize?: Standardize;
  split?: Split;
  /** n: all n-grams of sizes 1..n; a list: exactly those sizes. */
  ngrams?: number | readonly number[] | null;
  outputMode?: TextOutputMode;
  /** 'int' mode: pad (with 0) or truncate every row at its end to this length. */
  outputSequenceLength?: number | null;
  /** Non-int modes: make the output maxTokens wide even if the vocabulary is smaller. */
  padToMaxTokens?: boolean;
  /** The tokens (special tokens at the start are accepted and skipped); otherwise learned by adapt. */
  vocabulary?: readonly string[] | null;
  /** 'tf_idf' mode with a given vocabulary: one weight per vocabulary token. */
  idfWeights?: readonly number[] | null;
}

const PAD = '';
const OOV = '[UNK]';
const MODES: readonly TextOutputMode[] = ['int', 'multi_hot', 'count', 'tf_idf'];

/**
 * Keras's TextVectorization: texts → standardized tokens (plus n-grams) → ids ('int') or
 * per-text vocabulary vectors ('multi_hot', 'count', 'tf_idf'). Ids: 0 padding, 1 '[UNK]' (OOV),
 * then the vocabulary by descending frequency (ties: token descending, as Keras's adapt).
 * Keel has no string tensors: on its own it maps arrays of strings to tensors; as the first layer
 * of a Sequential model it makes the model take `string[]` in fit/evaluate/predict, the texts being
 * vectorized at the model's input (as Keras runs it in tf.data) and the ids passed on unchanged.
 * `new Sequential([tv, new Embedding(1000, 16), new LSTM(8), new Dense(1)])` after `tv.adapt(texts)`
 */
export class TextVectorization extends Layer {
  static override className = 'TextVectorization';
  /** Marks a layer whose model takes strings: `encodeStrings` runs at the model's input. */
  readonly takesStrings = true;
  readonly maxTokens: number | null;
  readonly standardize: Standardize;
  readonly split: Split;
  readonly ngrams: number[];
  readonly ngramsArg: number | number[] | null;
  readonly outputMode: TextOutputMode;
  readonly outputSequenceLength: number | null;
  readonly padToMaxTokens: boolean;
  private tokens: string[] = [];
  private index = new Map<string, number>();
  private idf: number[] | null = null;

  constructor(args: TextVectorizationArgs = {}) {
    const {
      maxTokens: _m,
      standardize: _s,
      split: _p,
      ngrams: _n,
      outputMode: _o,
      outputSequenceLength: _l,
      padToMaxTokens: _t,
      vocabulary: _v,
      idfWeights: _i,
      ...layerArgs
    } = args;
    const int = (args.outputMode ?? 'int') === 'int';
    const length = args.outputSequenceLength ?? null;
    super({
      ...layerArgs,
      dtype: int ? 'int32' : 'float32',
      // Ids of a fixed length: the model can be built before any data.
      ...(int && length !== null && !layerArgs.batchInputShape ? { inputShape: [length] } : {}),
    });
    this.trainable = false;
    const c = 'TextVectorization';
    this.maxTokens = args.maxTokens ?? null;
    this.outputMode = args.outputMode ?? 'int';
    if (!MODES.includes(this.outputMode))
      throw new RangeError(
        `${c}: outputMode must be one of ${MODES.join(', ')}, got ${JSON.stringify(args.outputMode)}`,
      );
    const special = this.outputMode === 'int' ? 2 : 1;
    if (this.maxTokens !== null && (!Number.isInteger(this.maxTokens) || this.maxTokens <= special))
      throw new RangeError(
        `${c}: maxTokens must be an integer > ${special} (the special tokens), got ${this.maxTokens}`,
      );
    const std = args.standardize === undefined ? 'lower_and_strip_punctuation' : args.standardize;
    if (
      !(
        std === null ||
        typeof std === 'function' ||
        ['lower_and_strip_punctuation', 'lower', 'strip_punctuation'].includes(std)
      )
    )
      throw new RangeError(
        `${c}: standardize must be 'lower_and_strip_punctuation', 'lower', 'strip_punctuation', null or a function, got ${JSON.stringify(std)}`,
      );
    this.standardize = std;
    const split = args.split === undefined ? 'whitespace' : args.split;
    if (
      !(
        split === null ||
        typeof split === 'function' ||
        split === 'whitespace' ||
        split === 'character'
      )
    )
      throw new RangeError(
        `${c}: split must be 'whitespace', 'character', null or a function, got ${JSON.stringify(split)}`,
      );
    this.split = split;
    const ng = args.ngrams ?? null;
    this.ngramsArg = ng === null ? null : typeof ng === 'number' ? ng : [...ng];
    this.ngrams =
      ng === null
        ? [1]
        : typeof ng === 'number'
          ? Array.from({ length: ng }, (_, i) => i + 1)
          : [...ng];
    if (this.ngrams.length === 0 || this.ngrams.some((n) => !Number.isInteger(n) || n < 1))
      throw new RangeError(
        `${c}: ngrams must be a positive integer or a list of them, got ${JSON.stringify(ng)}`,
      );
    this.outputSequenceLength = args.outputSequenceLength ?? null;
    if (this.outputSequenceLength !== null && this.outputMode !== 'int')
      throw new RangeError(`${c}: outputSequenceLength only applies to outputMode 'int'`);
    if (
      this.outputSequenceLength !== null &&
      (!Number.isInteger(this.outputSequenceLength) || this.outputSequenceLength < 1)
    )
      throw new RangeError(
        `${c}: outputSequenceLength must be a positive integer, got ${this.outputSequenceLength}`,
      );
    this.padToMaxTokens = args.padToMaxTokens ?? false;
    if (this.padToMaxTokens && this.maxTokens === null)
      throw new RangeError(`${c}: padToMaxTokens needs maxTokens`);
    if (args.vocabulary) this.setVocabulary(args.vocabulary, args.idfWeights ?? null);
  }

  /** Index of the first vocabulary token (2 in 'int' mode: after '' and '[UNK]'; else 1). */
  private get offset(): number {
    return this.outputMode === 'int' ? 2 : 1;
  }

  /** The tokens of one text after standardize, split and n-grams. */
  tokenize(text: unknown, i = 0): string[] {
    if (typeof text !== 'string')
      throw new TypeError(
        `TextVectorization: input ${i} is ${text === null ? 'null' : typeof text} ${JSON.stringify(text)}, expected a string`,
      );
    const tokens = splitText(standardizeText(text, this.standardize), this.split);
    return this.ngrams.length === 1 && this.ngrams[0] === 1
      ? tokens
      : ngramsOf(tokens, this.ngrams);
  }

  /** Learns the vocabulary (and the idf weights for 'tf_idf') from texts. */
  adapt(texts: readonly string[]): void {
    if (!Array.isArray(texts))
      throw new TypeError('TextVectorization.adapt: expected an array of strings');
    const docs = texts.map((t, i) => this.tokenize(t, i));
    const limit = this.maxTokens === null ? Number.POSITIVE_INFINITY : this.maxTokens - this.offset;
    const tokens = topTokens(docs, Math.min(limit, Number.MAX_SAFE_INTEGER), 'keras').filter(
      (t) => t !== PAD && t !== OOV,
    );
    let idf: number[] | null = null;
    if (this.outputMode === 'tf_idf') {
      const df = tokenCounts(docs.map((d) => new Set(d)));
      idf = tokens.map((t) => Math.log(1 + docs.length / (1 + (df.get(t) ?? 0))));
    }
    this.setVocabulary(tokens, idf);
  }

  /** Sets the vocabulary (tokens without the special ones, which are skipped if given first). */
  setVocabulary(vocabulary: readonly string[], idfWeights: readonly number[] | null = null): void {
    let tokens = [...vocabulary];
    if (this.outputMode === 'int' && tokens[0] === PAD) tokens = tokens.slice(1);
    if (tokens[0] === OOV) tokens = tokens.slice(1);
    const seen = new Set<string>();
    for (const t of tokens) {
      if (typeof t !== 'string' || t === PAD || t === OOV || seen.has(t))
        throw new RangeError(
          `TextVectorization: the vocabulary has a repeated or reserved token ${JSON.stringify(t)}`,
        );
      seen.add(t);
    }
    if (this.maxTokens !== null && tokens.length + this.offset > this.maxTokens)
      throw new RangeError(
        `TextVectorization: a vocabulary of ${tokens.length + this.offset} tokens (special ones included) exceeds maxTokens=${this.maxTokens}`,
      );
    if (this.outputMode === 'tf_idf') {
      if (!idfWeights || idfWeights.length !== tokens.length)
        throw new RangeError(
          `TextVectorization: outputMode 'tf_idf' needs idfWeights with one weight per token (${tokens.length}), got ${idfWeights?.length ?? 'none'}`,
        );
      this.idf = [...idfWeights];
    }
    this.tokens = tokens;
    this.index = new Map(tokens.map((t, i) => [t, i + this.offset]));
  }

  /** The vocabulary, special tokens first: ['', '[UNK]', ...] in 'int' mode, ['[UNK]', ...] otherwise. */
  getVocabulary(): string[] {
    return [...(this.outputMode === 'int' ? [PAD, OOV] : [OOV]), ...this.tokens];
  }

  /** The number of ids in use, special tokens included. */
  vocabularySize(): number {
    return this.tokens.length + this.offset;
  }

  /**
   * On texts: vectorizes them, [n, length] int32 ids or [n, width] float32 vectors for the other
   * modes. On tensors (inside a model, after the model vectorized its string input): the identity.
   */
  override apply(texts: string | readonly string[]): Tensor;
  override apply(inputs: SymbolicTensor, args?: CallArgs): SymbolicTensor;
  override apply(inputs: SymbolicTensor[], args?: CallArgs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor, args?: CallArgs): Tensor;
  override apply(inputs: LayerInput, args?: CallArgs): LayerInput;
  override apply(
    inputs: LayerInput | SymbolicInput | string | readonly string[],
    args: CallArgs = {},
  ): LayerInput | SymbolicInput {
    if (
      typeof inputs === 'string' ||
      (Array.isArray(inputs) &&
        inputs.every((t) => !(t instanceof Tensor) && typeof t !== 'object'))
    )
      return this.vectorize(inputs as string | readonly string[]);
    return super.apply(inputs as LayerInput, args);
  }

  /** The batch of texts a model with this first layer got as x, vectorized; `op` names the call. */
  encodeStrings(x: unknown, op: string): Tensor {
    if (!Array.isArray(x) || x.some((t) => typeof t !== 'string'))
      throw new TypeError(
        `${op}: TextVectorization '${this.name}' is the model's first layer and takes a batch of texts (string[]), got ${describeInput(x)}`,
      );
    return this.vectorize(x as string[]);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    return singleInput(this, inputs);
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    if (this.outputMode === 'int') return [s[0] ?? null, this.outputSequenceLength ?? s[1] ?? null];
    return [s[0] ?? null, this.padToMaxTokens ? this.maxTokens! : this.vocabularySize()];
  }

  /** Vectorizes texts: [n, length] int32 ids, or [n, width] float32 vectors for the other modes. */
  vectorize(texts: string | readonly string[]): Tensor {
    const list = typeof texts === 'string' ? [texts] : texts;
    if (!Array.isArray(list))
      throw new TypeError('TextVectorization: expected a string or an array of strings');
    const ids = list.map((t, i) =>
      this.tokenize(t, i).map((tok) => this.index.get(tok) ?? this.offset - 1),
    );
    if (this.outputMode === 'int') {
      const maxlen = this.outputSequenceLength ?? ids.reduce((m, s) => Math.max(m, s.length), 0);
      return padSequences(ids, { maxlen, padding: 'post', truncating: 'post' });
    }
    const width = this.padToMaxTokens ? this.maxTokens! : this.vocabularySize();
    const out = new Float32Array(list.length * width);
    ids.forEach((row, i) => {
      for (const id of row) {
        if (this.outputMode === 'multi_hot') out[i * width + id] = 1;
        else out[i * width + id]! += 1;
      }
    });
    if (this.outputMode === 'tf_idf') {
      const idf = this.idf!;
      const oov = idf.length ? idf.reduce((a, b) => a + b, 0) / idf.length : 0;
      for (let i = 0; i < list.length; i++)
        for (let j = 0; j < this.vocabularySize(); j++)
          out[i * width + j]! *= j === 0 ? oov : idf[j - 1]!;
    }
    return new Tensor(out, [list.length, width], 'float32');
  }

  /** The config, vocabulary and idf weights included, so a saved vectorizer is rebuilt as is. */
  override getConfig(): Record<string, unknown> {
    for (const [arg, v] of [
      ['standardize', this.standardize],
      ['split', this.split],
    ] as const)
      if (typeof v === 'function')
        throw new TypeError(
          `TextVectorization: a custom ${arg} function cannot be serialized; pass a name or null`,
        );
    return {
      ...super.getConfig(),
      maxTokens: this.maxTokens,
      standardize: this.standardize,
      split: this.split,
      ngrams: this.ngramsArg,
      outputMode: this.outputMode,
      outputSequenceLength: this.outputSequenceLength,
      padToMaxTokens: this.padToMaxTokens,
      vocabulary: [...this.tokens],
      idfWeights: this.idf ? [...this.idf] : null,
    };
  }

  /** Rebuilds a `TextVectorization` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): TextVectorization {
    const { dtype: _d, ...args } = config; // follows from outputMode
    return new TextVectorization(args as TextVectorizationArgs);
  }
}

registerLayer(TextVectorization);

/** How errors describe a wrong model input: "a tensor [2, 3] of float32", "an array of numbers". */
export function describeInput(x: unknown): string {
  if (x instanceof Tensor) return `a tensor [${x.shape.join(', ')}] of ${x.dtype}`;
  if (Array.isArray(x)) {
    const bad = x.find((t) => typeof t !== 'string');
    return `an array holding ${bad instanceof Tensor ? 'a tensor' : Array.isArray(bad) ? 'arrays' : `a ${typeof bad}`}`;
  }
  return x === null ? 'null' : `a ${typeof x}`;
}
