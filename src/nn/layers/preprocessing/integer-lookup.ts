import { type TensorLike, toTensor } from '../../../tensor/create.js';
import { Tensor } from '../../../tensor/tensor.js';
import type { CallArgs, LayerInput } from '../../engine/layer.js';
import { layerLabel, singleInput } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import { IndexLookup, type IndexLookupArgs } from './index-lookup.js';

/** Options of the `IntegerLookup` layer: oovToken -1 by default. */
export type IntegerLookupArgs = IndexLookupArgs<number>;

/**
 * Maps integer values to contiguous indices: [mask (0, if maskToken is set)] [numOovIndices OOV
 * indices] [vocabulary...], so by default OOV → 0 and vocabulary[i] → 1 + i; or back with invert.
 * With several OOV indices, x mod numOovIndices picks one. adapt(data) learns the vocabulary by
 * descending frequency (ties: larger value first, as Keras).
 * `const lookup = new IntegerLookup({vocabulary: [12, 36, 1138, 42]}); lookup.apply(x)`
 */
export class IntegerLookup extends IndexLookup<number> {
  static override className = 'IntegerLookup';

  constructor(args: IntegerLookupArgs = {}) {
    super('IntegerLookup', args, -1);
  }

  protected override checkToken(t: unknown, what: string): number {
    if (typeof t !== 'number' || !Number.isInteger(t))
      throw new RangeError(`IntegerLookup '${this.name}': ${what} must be integers, got ${t}`);
    return t;
  }

  protected override oovBucket(t: number, n: number): number {
    return ((t % n) + n) % n;
  }

  /** Learns the vocabulary from integer samples (a tensor, nested array, or list of batches). */
  adapt(data: TensorLike | readonly Tensor[]): void {
    const batches =
      Array.isArray(data) && data.length > 0 && data.every((d) => d instanceof Tensor)
        ? (data as Tensor[])
        : [toTensor(data as TensorLike)];
    this.adaptTokens(batches.flatMap((b) => Array.from(b.data)));
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    this.requireVocabulary();
    const all = this.invert ? this.getVocabulary() : null;
    const out = new Int32Array(x.size);
    for (let i = 0; i < x.size; i++) {
      const v = x.data[i]!;
      if (!Number.isInteger(v))
        throw new RangeError(`${layerLabel(this)}: inputs must be integers, got ${v}`);
      out[i] = all ? (v >= 0 && v < all.length ? all[v]! : this.oovToken) : this.lookup(v);
    }
    return this.encodeIds(out, x.shape);
  }

  /** Rebuilds an `IntegerLookup` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): IntegerLookup {
    return new IntegerLookup(config as IntegerLookupArgs);
  }
}

registerLayer(IntegerLookup);
