import { Tensor } from '../../../tensor/tensor.js';
import { type CallArgs, Layer, type LayerArgs, type LayerInput } from '../../engine/layer.js';
import type { SymbolicShape } from '../../engine/symbolic-tensor.js';
import { layerLabel, oneOf, positiveInt, singleInput, singleShape } from '../internal/args.js';
import { registerLayer } from '../registry.js';
import {
  type CategoricalOutputMode,
  categoricalShape,
  encodeCategorical,
} from './encode-categorical.js';
import { fingerprint64, sipHash24 } from './hash64.js';

/** Options of the `Hashing` layer. */
export interface HashingArgs extends LayerArgs {
  /** The number of bins, the mask's bin included. Required. */
  numBins: number;
  /** The input value that maps to bin 0 (the others hash into bins 1..numBins-1). */
  maskValue?: number | null;
  /** A key for SipHash-2-4 instead of FarmHash: one integer (used twice) or two. */
  salt?: number | readonly [number, number] | null;
  /** 'int' (default: int32 bin ids) or 'one_hot', 'multi_hot', 'count'. */
  outputMode?: 'int' | CategoricalOutputMode;
  /** Keras's sparse output: only false. */
  sparse?: boolean;
}

/**
 * Hashes integer inputs into numBins bins as Keras: bin = hash(decimal string of x) mod numBins,
 * hash = FarmHash Fingerprint64 (tf.strings.to_hash_bucket_fast), or SipHash-2-4 keyed by the
 * salt (to_hash_bucket_strong); with maskValue, the mask goes to bin 0 and the rest to
 * 1 + hash mod (numBins - 1). Keel has no strings, so only integer inputs (int32, or float32
 * holding integers) are hashed. `new Hashing({numBins: 3}).apply(tensor([[1], [2]], [2, 1], 'int32'))`
 */
export class Hashing extends Layer {
  static override className = 'Hashing';
  readonly numBins: number;
  readonly maskValue: number | null;
  readonly salt: [number, number] | null;
  readonly outputMode: 'int' | CategoricalOutputMode;

  constructor(args: HashingArgs) {
    const {
      numBins,
      maskValue = null,
      salt = null,
      outputMode = 'int',
      sparse = false,
      ...rest
    } = args ?? {};
    super(rest);
    const c = 'Hashing';
    this.numBins = positiveInt(c, 'numBins', numBins);
    if (maskValue !== null && this.numBins < 2)
      throw new RangeError(`${c}: numBins must be >= 2 with a maskValue, got ${numBins}`);
    if (maskValue !== null && !Number.isInteger(maskValue))
      throw new RangeError(`${c}: maskValue must be an integer or null, got ${maskValue}`);
    const key = salt === null ? null : typeof salt === 'number' ? [salt, salt] : [...salt];
    if (key !== null && (key.length !== 2 || key.some((k) => !Number.isSafeInteger(k) || k < 0)))
      throw new RangeError(
        `${c}: salt must be a non-negative integer or a pair of them, got ${JSON.stringify(salt)}`,
      );
    this.maskValue = maskValue;
    this.salt = key as [number, number] | null;
    this.outputMode = oneOf(c, 'outputMode', outputMode, ['int', 'one_hot', 'multi_hot', 'count']);
    if (sparse !== false) throw new RangeError(`${c}: sparse=true is not supported`);
    this.trainable = false;
  }

  /** The 64-bit hash of one integer's decimal form. */
  private hash(v: number): bigint {
    const bytes = new TextEncoder().encode(String(v));
    return this.salt === null
      ? fingerprint64(bytes)
      : sipHash24(bytes, BigInt(this.salt[0]), BigInt(this.salt[1]));
  }

  override call(inputs: LayerInput, _args: CallArgs = {}): Tensor {
    const x = singleInput(this, inputs);
    const masked = this.maskValue !== null;
    const bins = BigInt(masked ? this.numBins - 1 : this.numBins);
    const ids = new Int32Array(x.size);
    const memo = new Map<number, number>();
    for (let i = 0; i < x.size; i++) {
      const v = x.data[i]!;
      if (!Number.isInteger(v))
        throw new RangeError(`${layerLabel(this)}: inputs must be integers, got ${v}`);
      let id = memo.get(v);
      if (id === undefined) {
        id = masked && v === this.maskValue ? 0 : Number(this.hash(v) % bins) + (masked ? 1 : 0);
        memo.set(v, id);
      }
      ids[i] = id;
    }
    if (this.outputMode === 'int') return new Tensor(ids, x.shape, 'int32');
    return encodeCategorical(ids, x.shape, this.outputMode, this.numBins, layerLabel(this));
  }

  override computeOutputShape(inputShape: SymbolicShape | SymbolicShape[]): SymbolicShape {
    const s = singleShape(this, inputShape);
    return this.outputMode === 'int' ? s : categoricalShape(s, this.outputMode, this.numBins);
  }

  /** The options that rebuild this `Hashing` with `fromConfig` (what serialization saves). */
  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      numBins: this.numBins,
      maskValue: this.maskValue,
      salt: this.salt,
      outputMode: this.outputMode,
      sparse: false,
    };
  }

  /** Rebuilds a `Hashing` from the config its `getConfig()` returns (deserialization). */
  static fromConfig(config: Record<string, unknown>): Hashing {
    return new Hashing(config as unknown as HashingArgs);
  }
}

registerLayer(Hashing);
