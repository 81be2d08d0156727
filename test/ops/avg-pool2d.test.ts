import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { avgPool2d } from '../../src/ops/avg-pool2d.js';
import { avgPool2dBackward } from '../../src/ops/avg-pool2d-backward.js';
import { tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { geometry, naivePool } from './window-reference.js';

const CASES = [
  { x: [2, 6, 6, 3], k: [2, 2], s: [2, 2], pad: 'valid' },
  { x: [1, 7, 9, 2], k: [3, 3], s: [2, 2], pad: 'same' },
  { x: [2, 5, 7, 1], k: [3, 2], s: [1, 1], pad: 'same' },
  { x: [1, 8, 5, 4], k: [2, 3], s: [3, 1], pad: 'valid' },
] as const;

describe('avgPool2d', () => {
  it('averages each window', () => {
    const x = tensor([1, 5, 2, 0, 3, 4, 8, 7, 6, -1, 9, 2, 0, 0, 3, 1], [1, 4, 4, 1]);
    expectClose(avgPool2d(x), tensor([3.25, 4.25, 1.25, 3.75], [1, 2, 2, 1]));
  });

  it("divides by the cells inside the input under 'same' padding, as TF does", () => {
    const x = tensor([1, 2, 3, 4, 5], [1, 1, 5, 1]);
    expectClose(avgPool2d(x, { poolSize: [1, 2], padding: 'same' }), [1.5, 3.5, 5]);
    expectClose(
      avgPool2d(x, { poolSize: [1, 3], strides: 1, padding: 'same' }),
      [1.5, 2, 3, 4, 4.5],
    );
  });

  it('matches direct loops on odd sizes, strides and paddings', () => {
    for (const [n, c] of CASES.entries()) {
      const x = rand([...c.x], n + 1);
      const g = geometry(c.x, [...c.k], [...c.s], [1, 1], c.pad);
      const y = avgPool2d(x, { poolSize: [...c.k], strides: [...c.s], padding: c.pad });
      assert.deepEqual(y.shape, [g.b, g.oh, g.ow, g.c]);
      expectClose(y, naivePool(x, g, 'avg'));
    }
  });

  it('has finite-difference gradients, and so does its backward op', () => {
    for (const c of CASES) {
      const opts = { poolSize: [...c.k], strides: [...c.s], padding: c.pad } as never;
      expectGradOk((x) => avgPool2d(x, opts), [rand([...c.x], 5)]);
    }
    const opts = { poolSize: 3, strides: 2, padding: 'same' } as const;
    expectGradOk((dy) => avgPool2dBackward(dy, [1, 5, 6, 2], opts), [rand([1, 3, 3, 2], 6)]);
  });

  it('propagates NaN and Infinity and handles empty inputs', () => {
    const y = avgPool2d(tensor([1, Number.NaN, 2, 3, 4, 5, Infinity, 0], [1, 2, 4, 1]));
    assert.ok(Number.isNaN(y.data[0]!));
    assert.equal(y.data[1], Infinity);
    assert.deepEqual(avgPool2d(rand([2, 0, 4, 1]), { padding: 'same' }).shape, [2, 0, 2, 1]);
  });

  it('rejects wrong ranks and mismatched gradients', () => {
    assert.throws(
      () => avgPool2d(rand([2, 4, 4])),
      /avgPool2d: expected input rank 4 \[batch, h, w, channels\], got \[2, 4, 4\]/,
    );
    assert.throws(
      () => avgPool2dBackward(rand([1, 2, 2, 2]), [1, 4, 4, 1]),
      /avgPool2dBackward: dy has shape \[1, 2, 2, 2\] but the forward op's output is \[1, 2, 2, 1\]/,
    );
  });
});
