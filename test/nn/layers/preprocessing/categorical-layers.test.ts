import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../../../src/backends/index.js';
import { tfjsToKeel } from '../../../../src/io/tfjs/convert-config.js';
import type { SerializedObject } from '../../../../src/nn/engine/serialization.js';
import { fingerprint64, sipHash24 } from '../../../../src/nn/layers/preprocessing/hash64.js';
import {
  CategoryEncoding,
  Discretization,
  Hashing,
  IntegerLookup,
} from '../../../../src/nn/layers/preprocessing/index.js';
import { deserializeLayer } from '../../../../src/nn/layers/registry.js';
import { tensor } from '../../../../src/tensor/create.js';
import type { Tensor } from '../../../../src/tensor/tensor.js';
import { runLayerTest } from '../../layer-test-harness.js';
import { expectSaveLoadSame } from './save-load.js';

const ints = (values: number[], shape: number[]) => tensor(values, shape, 'int32');
const rows = (t: Tensor) => {
  const w = t.shape.at(-1)!;
  return Array.from({ length: t.size / w }, (_, r) => Array.from(t.data.slice(r * w, (r + 1) * w)));
};

describe('CategoryEncoding', () => {
  it('one_hot, multi_hot and count as in the Keras docs', () => {
    const oneHot = new CategoryEncoding({ numTokens: 4, outputMode: 'one_hot' });
    assert.deepEqual(rows(oneHot.apply(ints([3, 2, 0, 1], [4])) as Tensor), [
      [0, 0, 0, 1],
      [0, 0, 1, 0],
      [1, 0, 0, 0],
      [0, 1, 0, 0],
    ]);
    assert.deepEqual((oneHot.apply(ints([3, 2], [2, 1])) as Tensor).shape, [2, 4]);
    const x = ints([0, 1, 0, 0, 1, 2, 3, 1], [4, 2]);
    const multi = new CategoryEncoding({ numTokens: 4 });
    assert.deepEqual(rows(multi.apply(x) as Tensor), [
      [1, 1, 0, 0],
      [1, 0, 0, 0],
      [0, 1, 1, 0],
      [0, 1, 0, 1],
    ]);
    const count = new CategoryEncoding({ numTokens: 4, outputMode: 'count' });
    assert.deepEqual(rows(count.apply(x) as Tensor), [
      [1, 1, 0, 0],
      [2, 0, 0, 0],
      [0, 1, 1, 0],
      [0, 1, 0, 1],
    ]);
  });

  it('layer checks and save/load; rejects values out of range, naming the layer', () => {
    const x = ints([0, 2, 1, 1, 3, 0], [3, 2]);
    runLayerTest({
      layer: () => new CategoryEncoding({ numTokens: 5, outputMode: 'count' }),
      inputShape: [3, 2],
      input: x,
      expectedOutputShape: [3, 5],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
      differentiable: false,
    });
    expectSaveLoadSame(new CategoryEncoding({ numTokens: 5, inputShape: [2] }), x);
    assert.throws(
      () => new CategoryEncoding({ numTokens: 3, name: 'ce' }).apply(ints([0, 3], [1, 2])),
      /CategoryEncoding 'ce': input values must lie in \[0, 3\), got 3/,
    );
    assert.throws(() => new CategoryEncoding({ numTokens: 0 }), /numTokens must be a positive/);
  });
});

describe('Discretization', () => {
  const x = tensor(
    [
      [-1.5, 1.0, 3.4, 0.5],
      [0.0, 3.0, 1.3, 0.0],
    ],
    [2, 4],
  );

  it('buckets by binBoundaries (Keras docs example) and encodes', () => {
    const layer = new Discretization({ binBoundaries: [0, 1, 2] });
    const y = layer.apply(x) as Tensor;
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(rows(y), [
      [0, 2, 3, 1],
      [1, 3, 2, 1],
    ]);
    const multi = new Discretization({ binBoundaries: [0, 1, 2], outputMode: 'multi_hot' });
    assert.deepEqual(rows(multi.apply(x) as Tensor), [
      [1, 1, 1, 1],
      [0, 1, 1, 1],
    ]);
  });

  it('adapt: Keras quantile summaries (hand-computed)', () => {
    // 11 samples 0, 0.1, ..., 1 (epsilon 0.01 keeps all, weight 1 each); 4 bins resample the
    // cumulative weights 1..11 at 25/50/75 %: 2.75 → 0.175, 5.5 → 0.45, 8.25 → 0.725.
    const layer = new Discretization({ numBins: 4, epsilon: 0.01 });
    layer.adapt(tensor(Array.from({ length: 11 }, (_, i) => i / 10)));
    const b = layer.binBoundaries!;
    assert.equal(b.length, 3);
    for (const [i, want] of [0.175, 0.45, 0.725].entries())
      assert.ok(Math.abs(b[i]! - want) < 1e-6, `${b}`);
    // The docs' data, adapted on itself: sorted -1.5 0 0 0.5 1 1.3 3 3.4; quantiles 2/8, 4/8, 6/8.
    const own = new Discretization({ numBins: 4 });
    own.adapt(x);
    assert.deepEqual(
      own.binBoundaries!.map((v) => Math.round(v * 1e6) / 1e6),
      [0, 0.5, 1.3],
    );
    // Two batches give the same boundaries as one here (every sample kept at weight 1).
    const split = new Discretization({ numBins: 4 });
    split.adapt([tensor([-1.5, 1.0, 3.4, 0.5]), tensor([0.0, 3.0, 1.3, 0.0])]);
    assert.deepEqual(split.binBoundaries, own.binBoundaries);
    // epsilon 0.25 on 8 samples: every 2nd sorted sample from index 2 at weight 2.
    const coarse = new Discretization({ numBins: 2, epsilon: 0.25 });
    coarse.adapt(tensor([1, 2, 3, 4, 5, 6, 7, 8]));
    // Summary 3 5 7 (weights 2), 3 * 0.25 < 1 so kept; 2 bins resample the cumulative shares
    // 1/3, 2/3, 1 at 50 %: halfway between 3 and 5.
    assert.deepEqual(coarse.binBoundaries, [4]);
  });

  it('layer checks, save/load with the learned boundaries, errors', () => {
    const make = (args = {}) => {
      const d = new Discretization({ numBins: 3, ...args });
      d.adapt(tensor([0, 1, 2, 3, 4, 5]));
      return d;
    };
    runLayerTest({
      layer: () => make(),
      inputShape: [2, 4],
      input: x,
      expectedOutputShape: [2, 4],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
      differentiable: false,
    });
    expectSaveLoadSame(make({ inputShape: [4], outputMode: 'count' }), x);
    assert.throws(() => new Discretization(), /give binBoundaries, or numBins/);
    assert.throws(
      () => new Discretization({ binBoundaries: [2, 1] }),
      /binBoundaries must be finite and sorted/,
    );
    assert.throws(
      () => new Discretization({ numBins: 3, name: 'd' }).apply(x),
      /Discretization 'd': no binBoundaries yet; call adapt/,
    );
  });
});

describe('IntegerLookup', () => {
  const data = ints([12, 1138, 42, 42, 1000, 36], [2, 3]);

  it('adapt orders by count, ties by larger value (Keras docs example)', () => {
    const layer = new IntegerLookup();
    layer.adapt(data);
    assert.deepEqual(layer.getVocabulary(), [-1, 42, 1138, 1000, 36, 12]);
    assert.deepEqual(rows(layer.apply(data) as Tensor), [
      [5, 2, 1],
      [1, 3, 4],
    ]);
    const capped = new IntegerLookup({ maxTokens: 3 });
    capped.adapt(data);
    assert.deepEqual(capped.getVocabulary(), [-1, 42, 1138]);
  });

  it('vocabulary, OOV, mask, several OOV indices, invert, encodings', () => {
    const vocab = [12, 36, 1138, 42];
    const x = ints([12, 1138, 42, 42, 1000, 36], [2, 3]);
    assert.deepEqual(rows(new IntegerLookup({ vocabulary: vocab }).apply(x) as Tensor), [
      [1, 3, 4],
      [4, 0, 2],
    ]);
    const masked = new IntegerLookup({ vocabulary: vocab, maskToken: 0 });
    assert.deepEqual(Array.from((masked.apply(ints([0, 12, 7], [3])) as Tensor).data), [0, 2, 1]);
    // Two OOV indices: floormod(x, 2) picks one; 1000 → 0, 7 → 1, -3 → 1.
    const two = new IntegerLookup({ vocabulary: vocab, numOovIndices: 2 });
    assert.deepEqual(
      Array.from((two.apply(ints([1000, 7, -3, 36], [4])) as Tensor).data),
      [0, 1, 1, 3],
    );
    const inverse = new IntegerLookup({ vocabulary: vocab, invert: true });
    assert.deepEqual(
      Array.from((inverse.apply(ints([1, 3, 4, 0, 2, 9], [6])) as Tensor).data),
      [12, 1138, 42, -1, 36, -1],
    );
    const multi = new IntegerLookup({ vocabulary: vocab, outputMode: 'multi_hot' });
    assert.deepEqual(rows(multi.apply(x) as Tensor), [
      [0, 1, 0, 1, 1],
      [1, 0, 1, 0, 1],
    ]);
    const padded = new IntegerLookup({
      vocabulary: vocab,
      outputMode: 'count',
      maxTokens: 8,
      padToMaxTokens: true,
    });
    assert.deepEqual(rows(padded.apply(x) as Tensor)[1], [1, 0, 1, 0, 1, 0, 0, 0]);
  });

  it('layer checks, save/load with the learned vocabulary, errors', () => {
    const make = (args = {}) => {
      const l = new IntegerLookup(args);
      l.adapt(data);
      return l;
    };
    runLayerTest({
      layer: () => make(),
      inputShape: [2, 3],
      input: data,
      expectedOutputShape: [2, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
      differentiable: false,
    });
    const loaded = expectSaveLoadSame(make({ inputShape: [3] }), data) as IntegerLookup;
    assert.deepEqual(loaded.getVocabulary(), [-1, 42, 1138, 1000, 36, 12]);
    assert.throws(
      () => new IntegerLookup({ vocabulary: [1, 1] }),
      /IntegerLookup '.*': vocabulary has 1 twice/,
    );
    assert.throws(
      () =>
        new IntegerLookup({ vocabulary: [1], numOovIndices: 0, name: 'il' }).apply(ints([2], [1])),
      /IntegerLookup 'il': 2 is not in the vocabulary and numOovIndices is 0/,
    );
    assert.throws(() => new IntegerLookup({ invert: true, outputMode: 'count' }), /invert needs/);
  });
});

describe('Hashing', () => {
  const enc = (s: string) => new TextEncoder().encode(s);

  it('FarmHash Fingerprint64 and SipHash-2-4 match TensorFlow/Keras documented outputs', () => {
    // keras.layers.Hashing(num_bins=3) on 'A'..'E': [1, 0, 1, 1, 2]; with salt=133: [0, 0, 2, 1, 0].
    assert.deepEqual(
      ['A', 'B', 'C', 'D', 'E'].map((s) => Number(fingerprint64(enc(s)) % 3n)),
      [1, 0, 1, 1, 2],
    );
    assert.deepEqual(
      ['A', 'B', 'C', 'D', 'E'].map((s) => Number(sipHash24(enc(s), 133n, 133n) % 3n)),
      [0, 0, 2, 1, 0],
    );
    // Hashing(num_bins=3, mask_value='') on A, B, C, D: [1, 1, 2, 2] = 1 + hash mod 2.
    assert.deepEqual(
      ['A', 'B', 'C', 'D'].map((s) => 1 + Number(fingerprint64(enc(s)) % 2n)),
      [1, 1, 2, 2],
    );
    // tf.strings.to_hash_bucket_fast(["Hello", "TensorFlow", "2.x"], 3) and _strong(..., [1, 2]).
    assert.deepEqual(
      ['Hello', 'TensorFlow', '2.x'].map((s) => Number(fingerprint64(enc(s)) % 3n)),
      [0, 2, 2],
    );
    assert.deepEqual(
      ['Hello', 'TF'].map((s) => Number(sipHash24(enc(s), 1n, 2n) % 3n)),
      [2, 0],
    );
    // Longer inputs (17..32 and 33..64 bytes): published Fingerprint64 values of other ports.
    assert.equal(BigInt.asIntN(64, fingerprint64(enc('test'.repeat(8)))), -4196240717365766262n);
    assert.equal(fingerprint64(enc('9JqLl0AW7e69Y.&vMHQ5C')), 2827089714349584095n);
    assert.equal(fingerprint64(enc('2/?98ns)xbzEVL^:wCS$7l3@_g!zP^<D.-bd6')), 9728733090894310797n);
    // SipHash-2-4 reference vector (key 00..0f, message 00..0e).
    const k0 = 0x0706050403020100n;
    const k1 = 0x0f0e0d0c0b0a0908n;
    assert.equal(
      sipHash24(
        Uint8Array.from({ length: 15 }, (_, i) => i),
        k0,
        k1,
      ),
      0xa129ca6149be45e5n,
    );
  });

  it('hashes the decimal form of integers into bins; mask to 0; encodings', () => {
    const x = ints([7, -12, 1234567890, 0, 7], [5]);
    const want = [7, -12, 1234567890, 0, 7].map((v) => Number(fingerprint64(enc(String(v))) % 10n));
    assert.deepEqual(Array.from((new Hashing({ numBins: 10 }).apply(x) as Tensor).data), want);
    const masked = new Hashing({ numBins: 10, maskValue: 0 }).apply(x) as Tensor;
    const wantMasked = [7, -12, 1234567890, 0, 7].map((v) =>
      v === 0 ? 0 : 1 + Number(fingerprint64(enc(String(v))) % 9n),
    );
    assert.deepEqual(Array.from(masked.data), wantMasked);
    const salted = new Hashing({ numBins: 5, salt: [3, 4] }).apply(x) as Tensor;
    assert.deepEqual(
      Array.from(salted.data),
      [7, -12, 1234567890, 0, 7].map((v) => Number(sipHash24(enc(String(v)), 3n, 4n) % 5n)),
    );
    const oneHot = new Hashing({ numBins: 10, outputMode: 'one_hot' }).apply(x) as Tensor;
    assert.deepEqual(oneHot.shape, [5, 10]);
    assert.deepEqual(
      rows(oneHot).map((r) => r.indexOf(1)),
      want,
    );
  });

  it('layer checks, save/load, errors', () => {
    const x = ints([1, 2, 3, 4, 5, 6], [3, 2]);
    runLayerTest({
      layer: () => new Hashing({ numBins: 4, salt: 9 }),
      inputShape: [3, 2],
      input: x,
      expectedOutputShape: [3, 2],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
      differentiable: false,
    });
    expectSaveLoadSame(new Hashing({ numBins: 6, outputMode: 'multi_hot', inputShape: [2] }), x);
    assert.throws(
      () => new Hashing({ numBins: 3, name: 'h' }).apply(tensor([0.5])),
      /Hashing 'h': inputs must be integers, got 0.5/,
    );
    assert.throws(() => new Hashing({ numBins: 0 }), /numBins must be a positive integer/);
  });
});

describe('Keras 3 configs', () => {
  const fromKeras = (className: string, config: Record<string, unknown>) =>
    deserializeLayer(tfjsToKeel({ class_name: className, config }) as SerializedObject);

  it('load with their snake_case arguments and behave the same', () => {
    const x = ints([3, 4, 9], [3]);
    const lookup = fromKeras('IntegerLookup', {
      name: 'i',
      max_tokens: null,
      num_oov_indices: 1,
      mask_token: null,
      oov_token: -1,
      vocabulary: [3, 4],
      invert: false,
      output_mode: 'int',
      sparse: false,
      pad_to_max_tokens: false,
    });
    assert.deepEqual(Array.from((lookup.apply(x) as Tensor).data), [1, 2, 0]);
    const enc = fromKeras('CategoryEncoding', {
      num_tokens: 10,
      output_mode: 'one_hot',
      sparse: false,
    });
    assert.deepEqual((enc.apply(x) as Tensor).shape, [3, 10]);
    const disc = fromKeras('Discretization', {
      bin_boundaries: [3.5],
      epsilon: 0.01,
      output_mode: 'int',
    });
    assert.deepEqual(Array.from((disc.apply(x) as Tensor).data), [0, 1, 1]);
    const hash = fromKeras('Hashing', {
      num_bins: 3,
      mask_value: 4,
      salt: null,
      output_mode: 'int',
    });
    assert.equal((hash.apply(x) as Tensor).data[1], 0);
    const resize = fromKeras('Resizing', {
      height: 2,
      width: 2,
      interpolation: 'area',
      crop_to_aspect_ratio: false,
      pad_to_aspect_ratio: false,
      fill_mode: 'constant',
      fill_value: 0,
      antialias: false,
      data_format: 'channels_last',
    });
    assert.deepEqual(
      (resize.apply(tensor(new Array(16).fill(1), [1, 4, 4, 1])) as Tensor).shape,
      [1, 2, 2, 1],
    );
    assert.throws(
      () => fromKeras('Resizing', { height: 2, width: 2, antialias: true }),
      /antialias=true is not supported/,
    );
  });
});
