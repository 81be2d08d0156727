import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tensor } from '../../src/tensor/create.js';
import { padSequences } from '../../src/text/pad-sequences.js';

describe('padSequences', () => {
  const seqs = [[1, 2, 3], [4], [5, 6, 7, 8, 9]];
  const rows = (t: ReturnType<typeof padSequences>) => {
    const n = t.shape[1]!;
    return Array.from({ length: t.shape[0]! }, (_, i) => [...t.data.slice(i * n, (i + 1) * n)]);
  };

  it('pads and truncates at the start by default (Keras), to the longest length', () => {
    const t = padSequences(seqs);
    assert.equal(t.dtype, 'int32');
    assert.deepEqual(rows(t), [
      [0, 0, 1, 2, 3],
      [0, 0, 0, 0, 4],
      [5, 6, 7, 8, 9],
    ]);
    assert.deepEqual(rows(padSequences(seqs, { maxlen: 3 })), [
      [1, 2, 3],
      [0, 0, 4],
      [7, 8, 9],
    ]);
  });

  it('supports post padding, post truncation, a value and float32', () => {
    assert.deepEqual(
      rows(padSequences(seqs, { maxlen: 4, padding: 'post', truncating: 'post', value: -1 })),
      [
        [1, 2, 3, -1],
        [4, -1, -1, -1],
        [5, 6, 7, 8],
      ],
    );
    const f = padSequences([[0.5], []], { maxlen: 2, dtype: 'float32' });
    assert.equal(f.dtype, 'float32');
    assert.deepEqual(rows(f), [
      [0, 0.5],
      [0, 0],
    ]);
    assert.deepEqual(padSequences([], { maxlen: 3 }).shape, [0, 3]);
  });

  it('rejects bad input with clear errors', () => {
    assert.throws(
      () => padSequences([[1, 'a' as unknown as number]]),
      /sequence 0 element 1 is "a", expected an integer id; turn text into ids first/,
    );
    assert.throws(() => padSequences([[1.5]]), /expected an integer id/);
    assert.throws(
      () => padSequences([3 as unknown as number[]]),
      /sequence 0 is 3, expected an array of numbers/,
    );
    assert.throws(
      () => padSequences(seqs, { padding: 'middle' as 'pre' }),
      /padding must be 'pre' or 'post'/,
    );
    assert.throws(
      () => padSequences(seqs, { maxlen: -1 }),
      /maxlen must be a non-negative integer/,
    );
    // Ragged id lists given to a tensor (or to fit) point at padSequences.
    assert.throws(
      () => tensor(seqs),
      /sequences of different lengths must be padded first: text.padSequences/,
    );
  });
});
