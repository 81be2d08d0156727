import type { Tensor } from '../../../tensor/tensor.js';
import { describeInput } from '../../../text/text-vectorization.js';
import type { CallArgs, LayerInput, SymbolicInput } from '../../engine/layer.js';
import type { SymbolicTensor } from '../../engine/symbolic-tensor.js';
import { singleInput } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import { fingerprint64 } from './hash64.js';
import { IndexLookup, type IndexLookupArgs } from './index-lookup.js';

/** Options of the `StringLookup` layer: oovToken '[UNK]' by default; invert is not available. */
export type StringLookupArgs = IndexLookupArgs<string>;

/**
 * Maps string tokens to contiguous indices like IntegerLookup ([mask?] [OOV...] [vocabulary...];
 * several OOV indices are picked by FarmHash Fingerprint64 mod n, as Keras). Keel has no string
 * tensors: `apply(tokens)` takes string[] or string[][]; first in a Sequential, it makes the model
 * take them in fit/evaluate/predict (the lookup runs at the model's input, the ids pass on).
 * `const lookup = new StringLookup({vocabulary: ['a', 'b', 'c']}); lookup.apply([['a', 'z']])`
 */
export class StringLookup extends IndexLookup<string> {
  static override className = 'StringLookup';
  /** Marks a layer whose model takes strings: `encodeStrings` runs at the model's input. */
  readonly takesStrings = true;

  constructor(args: StringLookupArgs = {}) {
    super('StringLookup', args, '[UNK]');
    if (this.invert)
      throw new RangeError(
        `StringLookup '${this.name}': invert gives strings, which Keel tensors cannot hold; use getVocabulary()[id]`,
      );
    this.dtype = this.outputMode === 'int' ? 'int32' : 'float32';
  }

  protected override checkToken(t: unknown, what: string): string {
    if (typeof t !== 'string')
      throw new TypeError(
        `StringLookup '${this.name}': ${what} must be strings, got ${t === null ? 'null' : typeof t} ${JSON.stringify(t)}`,
      );
    return t;
  }

  protected override oovBucket(t: string, n: number): number {
    return Number(fingerprint64(new TextEncoder().encode(t)) % BigInt(n));
  }

  /** Learns the vocabulary from tokens: string[] or string[][]. */
  adapt(tokens: readonly string[] | readonly (readonly string[])[]): void {
    this.adaptTokens((tokens as unknown[]).flat());
  }

  /** On tokens (string[] or string[][]): their indices. On tensors (inside a model): the identity. */
  override apply(tokens: readonly string[] | readonly (readonly string[])[]): Tensor;
  override apply(inputs: SymbolicTensor, args?: CallArgs): SymbolicTensor;
  override apply(inputs: SymbolicTensor[], args?: CallArgs): SymbolicTensor | SymbolicTensor[];
  override apply(inputs: Tensor, args?: CallArgs): Tensor;
  override apply(inputs: LayerInput, args?: CallArgs): LayerInput;
  override apply(
    inputs: LayerInput | SymbolicInput | readonly unknown[],
    args: CallArgs = {},
  ): LayerInput | SymbolicInput {
    if (Array.isArray(inputs) && inputs.every((t) => typeof t === 'string' || Array.isArray(t)))
      return this.lookupTokens(inputs, 'apply');
    return super.apply(inputs as LayerInput, args);
  }

  /** The batch of tokens a model with this first layer got as x, looked up; `op` names the call. */
  encodeStrings(x: unknown, op: string): Tensor {
    return this.lookupTokens(x, op);
  }

  private lookupTokens(x: unknown, op: string): Tensor {
    const bad = () =>
      new TypeError(
        `${op}: StringLookup '${this.name}' takes a batch of tokens (string[] or string[][] of equal lengths), got ${describeInput(x)}`,
      );
    if (!Array.isArray(x)) throw bad();
    const nested = x.length > 0 && Array.isArray(x[0]);
    const width = nested ? (x[0] as unknown[]).length : 1;
    const flat: unknown[] = nested ? x.flat() : x;
    if (
      (nested && x.some((r) => !Array.isArray(r) || r.length !== width)) ||
      flat.some((t) => typeof t !== 'string')
    )
      throw bad();
    this.requireVocabulary();
    const ids = Int32Array.from(flat as string[], (t) => this.lookup(t));
    return this.encodeIds(ids, nested ? [x.length, width] : [x.length]);
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    return singleInput(this, inputs);
  }

  /** Rebuilds a `StringLookup` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): StringLookup {
    const { dtype: _d, ...args } = config; // follows from outputMode
    return new StringLookup(args as StringLookupArgs);
  }
}

registerLayer(StringLookup);
