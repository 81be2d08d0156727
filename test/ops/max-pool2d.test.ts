import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { maxPool2d } from '../../src/ops/max-pool2d.js';
import { maxPool2dBackward } from '../../src/ops/max-pool2d-backward.js';
import { Rng } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { geometry, naivePool } from './window-reference.js';

/** Distinct values 0.1 apart in random order, so no window has a tie a finite difference could flip. */
function distinct(shape: number[], seed: number): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: n }, (_, i) => (i - n / 2) * 0.1);
  const rng = new Rng(seed);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [values[i], values[j]] = [values[j]!, values[i]!];
  }
  return tensor(Float32Array.from(values), shape);
}

const CASES = [
  { x: [2, 6, 6, 3], k: [2, 2], s: [2, 2], pad: 'valid' },
  { x: [1, 7, 9, 2], k: [3, 3], s: [2, 2], pad: 'same' },
  { x: [2, 5, 7, 1], k: [3, 2], s: [1, 1], pad: 'valid' },
  { x: [1, 8, 5, 4], k: [2, 3], s: [3, 1], pad: 'same' },
  { x: [2, 26, 26, 32], k: [2, 2], s: [2, 2], pad: 'valid' },
] as const;

describe('maxPool2d', () => {
  it('takes the window maximum', () => {
    const x = tensor([1, 5, 2, 0, 3, 4, 8, 7, 6, -1, 9, 2, 0, 0, 3, 1], [1, 4, 4, 1]);
    expectClose(maxPool2d(x), tensor([5, 8, 6, 9], [1, 2, 2, 1]));
  });

  it('matches direct loops on odd sizes, strides and paddings', () => {
    for (const [n, c] of CASES.entries()) {
      const x = rand([...c.x], n + 1);
      const g = geometry(c.x, [...c.k], [...c.s], [1, 1], c.pad);
      const y = maxPool2d(x, { poolSize: [...c.k], strides: [...c.s], padding: c.pad });
      assert.deepEqual(y.shape, [g.b, g.oh, g.ow, g.c]);
      expectClose(y, naivePool(x, g, 'max'));
    }
  });

  it("never lets a 'same' padding cell win, even when all values are negative", () => {
    const x = tensor([-5, -4, -3, -2, -1], [1, 1, 5, 1]);
    expectClose(maxPool2d(x, { poolSize: [1, 2], padding: 'same' }), [-4, -2, -1]);
  });

  it('routes the gradient to the first maximum of each window', () => {
    const x = tensor([3, 3, 1, 2], [1, 2, 2, 1]);
    x.requiresGrad = true;
    const [dx] = grad(maxPool2d(x), [x]);
    expectClose(dx!, tensor([1, 0, 0, 0], [1, 2, 2, 1]));
    // Overlapping windows (stride 1) add up at a shared maximum.
    const z = tensor([1, 9, 2, 3, 4, 5], [1, 2, 3, 1]);
    const opts = { poolSize: 2, strides: 1 } as const;
    const dz = maxPool2dBackward(tensor([1, 2], [1, 1, 2, 1]), z, maxPool2d(z, opts), opts);
    expectClose(dz, [0, 3, 0, 0, 0, 0]);
    // A NaN maximum sends the gradient to the first NaN of the window.
    const w = tensor([1, Number.NaN, 2, Number.NaN], [1, 2, 2, 1]);
    expectClose(maxPool2dBackward(tensor([5], [1, 1, 1, 1]), w, maxPool2d(w)), [0, 5, 0, 0]);
  });

  it('has finite-difference gradients (values without ties)', () => {
    for (const c of CASES.slice(0, 4)) {
      const opts = { poolSize: [...c.k], strides: [...c.s], padding: c.pad } as const;
      expectGradOk((x) => maxPool2d(x, opts as never), [distinct([...c.x], 3)]);
    }
  });

  it('propagates NaN and handles empty batches', () => {
    const x = tensor([1, Number.NaN, 2, 3], [1, 2, 2, 1]);
    assert.ok(Number.isNaN(maxPool2d(x).data[0]!));
    const x2 = tensor([Number.NaN, 1, 2, 3], [1, 2, 2, 1]);
    assert.ok(Number.isNaN(maxPool2d(x2).data[0]!));
    assert.deepEqual(maxPool2d(rand([0, 4, 4, 2])).shape, [0, 2, 2, 2]);
  });

  it('rejects wrong ranks, bad options and mismatched gradients', () => {
    assert.throws(
      () => maxPool2d(rand([4, 4])),
      /maxPool2d: expected input rank 4 \[batch, h, w, channels\], got \[4, 4\]/,
    );
    assert.throws(
      () => maxPool2d(rand([1, 4, 4, 1]), { poolSize: [2, 0] }),
      /maxPool2d: poolSize must be a positive integer or 2 of them, got \[2, 0\]/,
    );
    assert.throws(
      () => maxPool2d(rand([1, 4, 4, 1]), { padding: 'causal' as 'same' }),
      /maxPool2d: padding must be 'valid' or 'same', got "causal"/,
    );
    assert.throws(
      () => maxPool2d(rand([1, 1, 4, 1])),
      /maxPool2d: the window \(2 cells along height, dilation included\) is larger than the input \(1\)/,
    );
    assert.throws(
      () => maxPool2dBackward(rand([1, 3, 3, 1]), rand([1, 4, 4, 1]), rand([1, 2, 2, 1])),
      /maxPool2dBackward: dy has shape \[1, 3, 3, 1\] but the forward op's output is \[1, 2, 2, 1\]/,
    );
    assert.throws(
      () => maxPool2dBackward(rand([1, 2, 2, 1]), rand([1, 4, 4, 1]), rand([1, 2, 2, 2])),
      /maxPool2dBackward: y has shape \[1, 2, 2, 2\] but the forward op's output is \[1, 2, 2, 1\]/,
    );
  });
});
