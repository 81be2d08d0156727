import { type TensorLike, toTensor } from '../../../tensor/create.js';
import { Tensor } from '../../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { layerLabel, oneOf, singleInput, singleShape } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import {
  type CategoricalOutputMode,
  categoricalShape,
  encodeCategorical,
} from './encode-categorical.js';

/** Options of the `IntegerLookup` layer (Keras 3's, camelCase). */
export interface IntegerLookupArgs extends LayerArgs {
  /** The largest vocabulary, special tokens included; null: no limit. */
  maxTokens?: number | null;
  /** Indices for values outside the vocabulary (1 by default); with more, x mod n picks one. */
  numOovIndices?: number;
  /** A value that maps to index 0 (padding); null: no mask index. */
  maskToken?: number | null;
  /** The value invert gives for out-of-vocabulary indices (-1 by default). */
  oovToken?: number;
  /** 'int' (default), 'one_hot', 'multi_hot' or 'count'. */
  outputMode?: 'int' | CategoricalOutputMode;
  /** Non-int modes: make the output maxTokens wide even when the vocabulary is smaller. */
  padToMaxTokens?: boolean;
  /** The vocabulary (learned by adapt otherwise); leading special tokens are accepted and skipped. */
  vocabulary?: readonly number[] | null;
  /** Map indices back to values instead. */
  invert?: boolean;
  /** Keras's sparse output: only false. */
  sparse?: boolean;
}

/**
 * Maps integer values to contiguous indices: [mask (0, if maskToken is set)] [numOovIndices OOV
 * indices] [vocabulary...], so by default OOV → 0 and vocabulary[i] → 1 + i; or back with invert.
 * adapt(data) learns the vocabulary by descending frequency (ties: larger value first, as Keras).
 * `const lookup = new IntegerLookup({vocabulary: [12, 36, 1138, 42]}); lookup.apply(x)`
 */
export class IntegerLookup extends Layer {
  static override className = 'IntegerLookup';
  readonly maxTokens: number | null;
  readonly numOovIndices: number;
  readonly maskToken: number | null;
  readonly oovToken: number;
  readonly outputMode: 'int' | CategoricalOutputMode;
  readonly padToMaxTokens: boolean;
  readonly invert: boolean;
  private vocab: number[] | null = null;
  private index = new Map<number, number>();

  constructor(args: IntegerLookupArgs = {}) {
    const {
      maxTokens = null,
      numOovIndices = 1,
      maskToken = null,
      oovToken = -1,
      outputMode = 'int',
      padToMaxTokens = false,
      vocabulary = null,
      invert = false,
      sparse = false,
      ...rest
    } = args;
    super(rest);
    const c = 'IntegerLookup';
    if (!Number.isInteger(numOovIndices) || numOovIndices < 0)
      throw new RangeError(`${c}: numOovIndices must be an integer >= 0, got ${numOovIndices}`);
    this.numOovIndices = numOovIndices;
    this.maskToken = maskToken;
    this.oovToken = oovToken;
    for (const [name, v] of [
      ['maskToken', maskToken],
      ['oovToken', oovToken],
    ] as const)
      if (v !== null && !Number.isInteger(v))
        throw new RangeError(`${c}: ${name} must be an integer, got ${v}`);
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
  getVocabulary(): number[] {
    const special = [
      ...(this.maskToken === null ? [] : [this.maskToken]),
      ...new Array<number>(this.numOovIndices).fill(this.oovToken),
    ];
    return [...special, ...(this.vocab ?? [])];
  }

  /** The number of indices: special ones plus the vocabulary. */
  vocabularySize(): number {
    return this.tokenStart + (this.vocab?.length ?? 0);
  }

  /** Sets the vocabulary (leading special tokens, as getVocabulary() lists them, are skipped). */
  setVocabulary(vocabulary: readonly number[]): void {
    const c = layerLabel(this);
    let v = [...vocabulary];
    const special = this.getVocabulary().slice(0, this.tokenStart);
    if (special.length > 0 && special.every((t, i) => v[i] === t)) v = v.slice(special.length);
    const seen = new Set<number>();
    for (const t of v) {
      if (!Number.isInteger(t))
        throw new RangeError(`${c}: vocabulary values must be integers, got ${t}`);
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

  /**
   * Learns the vocabulary from integer samples (a tensor, nested array, or list of batches): by
   * descending count, ties by descending value (Keras's np.lexsort order), mask and OOV tokens left
   * out, at most maxTokens indices in all.
   */
  adapt(data: TensorLike | readonly Tensor[]): void {
    const batches =
      Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Tensor)
        ? (data as Tensor[])
        : [toTensor(data as TensorLike)];
    const counts = new Map<number, number>();
    for (const b of batches)
      for (const v of b.data) {
        if (!Number.isInteger(v))
          throw new RangeError(`${layerLabel(this)}: adapt needs integers, got ${v}`);
        if (v === this.maskToken || v === this.oovToken) continue;
        counts.set(v, (counts.get(v) ?? 0) + 1);
      }
    const sorted = [...counts].sort((a, b) => b[1] - a[1] || b[0] - a[0]).map(([t]) => t);
    const limit = this.maxTokens === null ? sorted.length : this.maxTokens - this.tokenStart;
    this.setVocabulary(sorted.slice(0, limit));
  }

  private lookup(v: number): number {
    if (this.maskToken !== null && v === this.maskToken) return 0;
    const id = this.index.get(v);
    if (id !== undefined) return id;
    if (this.numOovIndices === 0)
      throw new RangeError(
        `${layerLabel(this)}: ${v} is not in the vocabulary and numOovIndices is 0`,
      );
    const oovStart = this.maskToken === null ? 0 : 1;
    return oovStart + (((v % this.numOovIndices) + this.numOovIndices) % this.numOovIndices);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    if (this.vocab === null)
      throw new Error(`${layerLabel(this)}: no vocabulary yet; pass one or call adapt(data)`);
    const all = this.invert ? this.getVocabulary() : null;
    const out = new Int32Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const v = x.data[i]!;
      if (!Number.isInteger(v))
        throw new RangeError(`${layerLabel(this)}: inputs must be integers, got ${v}`);
      out[i] = all ? (v >= 0 && v < all.length ? all[v]! : this.oovToken) : this.lookup(v);
    }
    if (this.outputMode === 'int') return new Tensor(out, x.shape, 'int32');
    return encodeCategorical(out, x.shape, this.outputMode, this.depth(), layerLabel(this));
  }

  private depth(): number {
    return this.padToMaxTokens ? this.maxTokens! : this.vocabularySize();
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    return this.outputMode === 'int' ? s : categoricalShape(s, this.outputMode, this.depth());
  }

  /** The options that rebuild this `IntegerLookup` with `fromConfig`, the vocabulary included. */
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

  /** Rebuilds an `IntegerLookup` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): IntegerLookup {
    return new IntegerLookup(config as IntegerLookupArgs);
  }
}

registerLayer(IntegerLookup);
