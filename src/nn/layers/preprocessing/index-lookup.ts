import { Tensor } from '../../../tensor/tensor.js';
import { Layer, type LayerArgs } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { layerLabel, oneOf, singleShape } from '../internal/args.js';
import {
  type CategoricalOutputMode,
  categoricalShape,
  encodeCategorical,
} from './encode-categorical.js';

/** Options shared by `IntegerLookup` and `StringLookup` (Keras 3's, camelCase). */
export interface IndexLookupArgs<T extends number | string> extends LayerArgs {
  /** The largest vocabulary, special tokens included; null: no limit. */
  maxTokens?: number | null;
  /** Indices for values outside the vocabulary (1 by default); with more, x mod n picks one. */
  numOovIndices?: number;
  /** A value that maps to index 0 (padding); null: no mask index. */
  maskToken?: T | null;
  /** The token of the OOV indices (IntegerLookup -1, StringLookup '[UNK]'). */
  oovToken?: T;
  /** 'int' (default), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: 'int' | CategoricalOutputMode;
  /** Non-int modes: make the output maxTokens wide even when the vocabulary is smaller. */
  padToMaxTokens?: boolean;
  /** The vocabulary (learned by adapt otherwise); leading special tokens are accepted and skipped. */
  vocabulary?: readonly T[] | null;
  /** Map indices back to values instead. */
  invert?: boolean;
  /** Keras's sparse output: only false. */
  sparse?: boolean;
}

/**
 * The lookup shared by IntegerLookup and StringLookup (Keras's IndexLookup): indices are
 * [mask (0, if maskToken is set)] [numOovIndices OOV indices] [vocabulary...]; adapt orders the
 * vocabulary by descending count, ties by descending token (Keras's np.lexsort order).
 */
export abstract class IndexLookup<T extends number | string> extends Layer {
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: T | null;
  readonly oovToken: T;
  readonly outputMode: 'int' | CategoricalOutputMode;
  readonly padToMaxTokens: boolean;
  readonly invert: boolean;
  private vocab: T[] | null = null;
  private index = new Map<T, number>();

  /** Checks one token (a vocabulary entry or an input), naming the layer. */
  protected abstract checkToken(t: unknown, what: string): T;
  /** Which of n OOV indices a token takes (n > 1). */
  protected abstract oovBucket(t: T, n: number): number;

  constructor(className: string, args: IndexLookupArgs<T>, defaultOov: T) {
    const {
      maxTokens = null,
      numOovIndices = 1,
      maskToken = null,
      oovToken = defaultOov,
      outputMode = 'int',
      padToMaxTokens = false,
      vocabulary = null,
      invert = false,
      sparse = false,
      ...rest
    } = args;
    super(rest);
    const c = className;
    if (!Number.isInteger(numOovIndices) || numOovIndices < 0)
      throw new RangeError(`${c}: numOovIndices must be an integer >= 0, got ${numOovIndices}`);
    this.numOovIndices = numOovIndices;
    this.maskToken = maskToken;
    this.oovToken = oovToken;
    if (maskToken !== null) this.checkToken(maskToken, 'maskToken');
    this.checkToken(oovToken, 'oovToken');
    if (maxTokens !== null && (!Number.isInteger(maxTokens) || maxTokens <= this.tokenStart))
      throw new RangeError(
        `${c}: maxTokens must be an integer > ${this.tokenStart} (the mask and OOV indices), got ${maxTokens}`,
      );
    this.maxTokens = maxTokens;
    this.outputMode = oneOf(c, 'outputMode', outputMode, ['int', 'one_hot', 'multi_hot', 'count']);
    if (invert && this.outputMode !== 'int')
      throw new RangeError(`${c}: invert needs outputMode 'int', got '${this.outputMode}'`);
    if (padToMaxTokens && maxTokens === null)
      throw new RangeError(`${c}: padToMaxTokens needs maxTokens`);
    if (sparse !== false) throw new RangeError(`${c}: sparse=true is not supported`);
    this.padToMaxTokens = padToMaxTokens;
    this.invert = invert;
    this.trainable = false;
    if (vocabulary !== null) this.setVocabulary(vocabulary);
  }

  /** The index of the first vocabulary value: the mask's and the OOV indices come before. */
  get tokenStart(): number {
    return (this.maskToken === null ? 0 : 1) + this.numOovIndices;
  }

  /** The whole index space: [mask?, oovToken × numOovIndices, ...vocabulary]. */
  getVocabulary(): T[] {
    const special = [
      ...(this.maskToken === null ? [] : [this.maskToken]),
      ...new Array<T>(this.numOovIndices).fill(this.oovToken),
    ];
    return [...special, ...(this.vocab ?? [])];
  }

  /** The number of indices: special ones plus the vocabulary. */
  vocabularySize(): number {
    return this.tokenStart + (this.vocab?.length ?? 0);
  }

  /** Sets the vocabulary (leading special tokens, as getVocabulary() lists them, are skipped). */
  setVocabulary(vocabulary: readonly T[]): void {
    const c = layerLabel(this);
    let v = [...vocabulary];
    const special = this.getVocabulary().slice(0, this.tokenStart);
    if (special.length > 0 && special.every((t, i) => v[i] === t)) v = v.slice(special.length);
    const seen = new Set<T>();
    for (const t of v) {
      this.checkToken(t, 'vocabulary');
      if (seen.has(t)) throw new RangeError(`${c}: vocabulary has ${t} twice`);
      if (t === this.maskToken || (this.numOovIndices > 0 && t === this.oovToken))
        throw new RangeError(`${c}: vocabulary holds the special token ${t} past its start`);
      seen.add(t);
    }
    if (this.maxTokens !== null && v.length + this.tokenStart > this.maxTokens)
      throw new RangeError(
        `${c}: a vocabulary of ${v.length} values and ${this.tokenStart} special indices exceeds maxTokens=${this.maxTokens}`,
      );
    this.vocab = v;
    this.index = new Map(v.map((t, i) => [t, i + this.tokenStart]));
  }

  /** Learns the vocabulary from tokens: mask and OOV tokens left out, at most maxTokens indices. */
  protected adaptTokens(tokens: Iterable<unknown>): void {
    const counts = new Map<T, number>();
    for (const raw of tokens) {
      const v = this.checkToken(raw, 'adapt');
      if (v === this.maskToken || v === this.oovToken) continue;
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    const desc = (a: T, b: T) => (a < b ? 1 : a > b ? -1 : 0);
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || desc(a[0], b[0])).map(([t]) => t);
    const limit = this.maxTokens === null ? sorted.length : this.maxTokens - this.tokenStart;
    this.setVocabulary(sorted.slice(0, limit));
  }

  /** The index of one token. */
  protected lookup(v: T): number {
    if (this.maskToken !== null && v === this.maskToken) return 0;
    const id = this.index.get(v);
    if (id !== undefined) return id;
    if (this.numOovIndices === 0)
      throw new RangeError(
        `${layerLabel(this)}: ${v} is not in the vocabulary and numOovIndices is 0`,
      );
    const oovStart = this.maskToken === null ? 0 : 1;
    return oovStart + (this.numOovIndices === 1 ? 0 : this.oovBucket(v, this.numOovIndices));
  }

  /** Indices of tokens, as int32 ids or encoded (outputMode); `shape` is the tokens' shape. */
  protected encodeIds(ids: Int32Array, shape: readonly number[]): Tensor {
    if (this.outputMode === 'int') return new Tensor(ids, shape, 'int32');
    return encodeCategorical(ids, shape, this.outputMode, this.depth(), layerLabel(this));
  }

  /** Throws, naming the layer, while there is no vocabulary (neither given nor adapted). */
  protected requireVocabulary(): void {
    if (this.vocab === null)
      throw new Error(`${layerLabel(this)}: no vocabulary yet; pass one or call adapt(data)`);
  }

  private depth(): number {
    return this.padToMaxTokens ? this.maxTokens! : this.vocabularySize();
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    return this.outputMode === 'int' ? s : categoricalShape(s, this.outputMode, this.depth());
  }

  /** The options that rebuild this layer with `fromConfig`, the vocabulary included. */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      maxTokens: this.maxTokens,
      numOovIndices: this.numOovIndices,
      maskToken: this.maskToken,
      oovToken: this.oovToken,
      outputMode: this.outputMode,
      padToMaxTokens: this.padToMaxTokens,
      vocabulary: this.vocab,
      invert: this.invert,
      sparse: false,
    };
  }
}
