import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextVectorization } from '../../src/text/text-vectorization.js';
import { expectClose } from '../helpers.js';

const texts = ['The cat sat.', 'the dog sat', 'A cat, a DOG!'];
const rows = (t: { data: ArrayLike<number>; shape: readonly number[] }) => {
  const n = t.shape[1]!;
  return Array.from({ length: t.shape[0]! }, (_, i) =>
    Array.from(t.data).slice(i * n, (i + 1) * n),
  );
};

describe('TextVectorization', () => {
  it('adapts a vocabulary by frequency with padding at 0 and [UNK] at 1', () => {
    const tv = new TextVectorization();
    tv.adapt(texts);
    // counts: the 2, cat 2, sat 2, dog 2, a 2 -> ties by token descending (Keras).
    assert.deepEqual(tv.getVocabulary(), ['', '[UNK]', 'the', 'sat', 'dog', 'cat', 'a']);
    const y = tv.apply(['the cat', 'a bird sat the dog']);
    assert.equal(y.dtype, 'int32');
    assert.deepEqual(rows(y), [
      [2, 5, 0, 0, 0],
      [6, 1, 3, 2, 4],
    ]);
  });

  it('limits the vocabulary with maxTokens and fixes the length with outputSequenceLength', () => {
    const tv = new TextVectorization({ maxTokens: 4, outputSequenceLength: 3 });
    tv.adapt(['b b b a a c', 'b a']);
    assert.deepEqual(tv.getVocabulary(), ['', '[UNK]', 'b', 'a']);
    assert.deepEqual(rows(tv.apply(['c b', 'a a a a'])), [
      [1, 2, 0],
      [3, 3, 3],
    ]);
  });

  it('standardizes, splits and builds n-grams as asked', () => {
    const lower = new TextVectorization({ standardize: 'lower', vocabulary: ['hi,', 'you'] });
    assert.deepEqual(rows(lower.apply(['HI, you'])), [[2, 3]]);
    const strip = new TextVectorization({ standardize: 'strip_punctuation', vocabulary: ['Hi'] });
    assert.deepEqual(rows(strip.apply(['Hi!'])), [[2]]);
    const chars = new TextVectorization({
      split: 'character',
      standardize: null,
      vocabulary: ['a', 'b'],
    });
    assert.deepEqual(rows(chars.apply(['abz'])), [[2, 3, 1]]);
    const whole = new TextVectorization({ split: null, vocabulary: ['new york'] });
    assert.deepEqual(rows(whole.apply(['New York', 'Paris'])), [[2], [1]]);
    const fn = new TextVectorization({
      standardize: 'lower',
      split: (s) => s.split('-'),
      vocabulary: ['x'],
    });
    assert.deepEqual(rows(fn.apply(['x-y'])), [[2, 1]]);
    const bi = new TextVectorization({ ngrams: 2 });
    bi.adapt(['a b c']);
    assert.deepEqual(
      new Set(bi.getVocabulary()),
      new Set(['', '[UNK]', 'a', 'b', 'c', 'a b', 'b c']),
    );
    const only2 = new TextVectorization({ ngrams: [2], vocabulary: ['a b'] });
    assert.deepEqual(rows(only2.apply(['a b c'])), [[2, 1]]);
  });

  it('outputs multi_hot, count and tf_idf vectors ([UNK] at index 0)', () => {
    const vocabulary = ['cat', 'dog'];
    const multi = new TextVectorization({ outputMode: 'multi_hot', vocabulary });
    assert.deepEqual(multi.getVocabulary(), ['[UNK]', 'cat', 'dog']);
    assert.deepEqual(rows(multi.apply(['cat cat bird'])), [[1, 1, 0]]);
    const count = new TextVectorization({
      outputMode: 'count',
      vocabulary,
      maxTokens: 5,
      padToMaxTokens: true,
    });
    assert.deepEqual(rows(count.apply(['cat cat bird dog'])), [[1, 2, 1, 0, 0]]);
    const tfidf = new TextVectorization({ outputMode: 'tf_idf' });
    tfidf.adapt(['cat dog', 'cat']);
    assert.deepEqual(tfidf.getVocabulary(), ['[UNK]', 'cat', 'dog']);
    const idfCat = Math.log(1 + 2 / 3);
    const idfDog = Math.log(1 + 2 / 2);
    expectClose(tfidf.apply(['cat cat dog fish']), [[(idfCat + idfDog) / 2, 2 * idfCat, idfDog]], {
      atol: 1e-6,
    });
  });

  it('keeps the vocabulary in its config', () => {
    const tv = new TextVectorization({ maxTokens: 10, outputMode: 'tf_idf' });
    tv.adapt(texts);
    const config = JSON.parse(JSON.stringify(tv.getConfig()));
    const copy = TextVectorization.fromConfig(config);
    assert.deepEqual(copy.getVocabulary(), tv.getVocabulary());
    expectClose(copy.apply(texts), tv.apply(texts));
    assert.throws(
      () => new TextVectorization({ split: (s) => [s] }).getConfig(),
      /custom split function cannot be serialized/,
    );
  });

  it('rejects bad input with clear errors', () => {
    const tv = new TextVectorization({ vocabulary: ['a'] });
    assert.throws(
      () => tv.apply(['a', 3 as unknown as string]),
      /TextVectorization: input 1 is number 3, expected a string/,
    );
    assert.throws(
      () => new TextVectorization({ outputMode: 'bag' as 'int' }),
      /outputMode must be one of/,
    );
    assert.throws(
      () => new TextVectorization({ maxTokens: 3, vocabulary: ['a', 'b'] }),
      /exceeds maxTokens=3/,
    );
    assert.throws(
      () => new TextVectorization({ vocabulary: ['a', 'a'] }),
      /repeated or reserved token "a"/,
    );
    assert.throws(
      () => new TextVectorization({ outputMode: 'tf_idf', vocabulary: ['a'] }),
      /needs idfWeights/,
    );
    assert.throws(
      () => new TextVectorization({ outputMode: 'count', outputSequenceLength: 3 }),
      /only applies to outputMode 'int'/,
    );
  });
});

describe('TextVectorization on empty input', () => {
  it('adapts to no texts or empty ones and vectorizes empty batches and empty strings', () => {
    for (const outputMode of ['int', 'multi_hot', 'count', 'tf_idf'] as const) {
      const tv = new TextVectorization({ outputMode });
      tv.adapt([]);
      tv.adapt(['', '  ']);
      assert.deepEqual(tv.getVocabulary(), outputMode === 'int' ? ['', '[UNK]'] : ['[UNK]']);
      const width = outputMode === 'int' ? 0 : 1;
      assert.deepEqual(tv.apply([]).shape, [0, width], outputMode);
      const one = tv.apply(['']);
      assert.deepEqual(one.shape, [1, width], outputMode);
      assert.ok(
        one.data.every((v) => v === 0),
        outputMode,
      );
      tv.adapt(['a b a', '']);
      const two = tv.apply(['', 'a']);
      assert.equal(two.shape[0], 2);
      const w = two.shape[1]!;
      assert.ok(
        two.data.subarray(0, w).every((v) => v === 0),
        `${outputMode}: the empty text`,
      );
      assert.ok(
        two.data.subarray(w).some((v) => v !== 0),
        `${outputMode}: 'a'`,
      );
    }
    const padded = new TextVectorization({ outputSequenceLength: 3 });
    padded.adapt([]);
    assert.deepEqual(padded.apply([]).shape, [0, 3]);
    assert.deepEqual(Array.from(padded.apply(['', 'x']).data), [0, 0, 0, 1, 0, 0]);
  });
});
