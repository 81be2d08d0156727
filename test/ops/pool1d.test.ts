import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { avgPool1d } from '../../src/ops/avg-pool1d.js';
import { maxPool1d } from '../../src/ops/max-pool1d.js';
import { tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('maxPool1d / avgPool1d', () => {
  const x = tensor([[[1], [4], [2], [8], [5]]]);

  it('pools windows of steps per channel', () => {
    expectClose(maxPool1d(x), [[[4], [8]]]);
    expectClose(avgPool1d(x), [[[2.5], [5]]]);
    expectClose(maxPool1d(x, { poolSize: 2, padding: 'same' }), [[[4], [8], [5]]]);
    expectClose(avgPool1d(x, { poolSize: 3, strides: 1, padding: 'same' }), [
      [[2.5], [7 / 3], [14 / 3], [5], [6.5]],
    ]);
    const two = rand([2, 6, 3], 1);
    assert.deepEqual(maxPool1d(two, { poolSize: 3, strides: 2 }).shape, [2, 2, 3]);
  });

  it('has finite-difference gradients', () => {
    // Values spaced 0.1 apart so the max pool's argmax is stable under the finite difference.
    const spaced = tensor(
      Float32Array.from([3, 9, 1, 7, 5, 0, 8, 2, 6, 4, 11, 10].map((v) => v * 0.1)),
      [2, 3, 2],
    );
    expectGradOk((t) => maxPool1d(t, { poolSize: 2, strides: 1 }), [spaced]);
    expectGradOk((t) => avgPool1d(t, { poolSize: 2, padding: 'same' }), [rand([2, 5, 2], 2)]);
  });

  it('rejects wrong ranks and windows longer than the input', () => {
    assert.throws(
      () => maxPool1d(rand([4, 4])),
      /maxPool1d: expected input rank 3 \[batch, steps, channels\], got \[4, 4\]/,
    );
    assert.throws(
      () => avgPool1d(rand([1, 2, 1]), { poolSize: 3 }),
      /avgPool1d: the pool \(3 steps\) is longer than the input \(2 steps\)/,
    );
    assert.throws(
      () => avgPool1d(rand([1, 4, 1]), { poolSize: 0 }),
      /avgPool1d: poolSize must be a positive integer/,
    );
  });
});
