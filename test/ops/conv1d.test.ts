import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conv1d } from '../../src/ops/conv1d.js';
import { ones, tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** y[b, t, o] = sum_{k, c} x[b, t*s + k*d - left, c] w[k, c, o], out-of-range steps reading 0. */
function naiveConv1d(
  x: Tensor,
  w: Tensor,
  s: number,
  d: number,
  pad: 'valid' | 'same' | 'causal',
): { data: number[]; steps: number } {
  const [b, n, c] = x.shape as [number, number, number];
  const [k, , co] = w.shape as [number, number, number];
  const eff = (k - 1) * d + 1;
  let out: number;
  let left: number;
  if (pad === 'valid') [out, left] = [Math.floor((n - eff) / s) + 1, 0];
  else if (pad === 'causal') [out, left] = [Math.floor((n + eff - 1 - eff) / s) + 1, eff - 1];
  else {
    out = Math.ceil(n / s);
    left = Math.floor(Math.max((out - 1) * s + eff - n, 0) / 2);
  }
  const y = new Float64Array(b * out * co);
  for (let bi = 0; bi < b; bi++)
    for (let t = 0; t < out; t++)
      for (let j = 0; j < k; j++) {
        const src = t * s + j * d - left;
        if (src < 0 || src >= n) continue;
        for (let ci = 0; ci < c; ci++)
          for (let o = 0; o < co; o++)
            y[(bi * out + t) * co + o]! +=
              x.data[(bi * n + src) * c + ci]! * w.data[(j * c + ci) * co + o]!;
      }
  return { data: Array.from(y), steps: out };
}

describe('conv1d', () => {
  it('matches direct loops for valid, same and causal padding with strides and dilation', () => {
    let seed = 1;
    for (const pad of ['valid', 'same', 'causal'] as const)
      for (const [s, d] of [
        [1, 1],
        [2, 1],
        [1, 2],
        [3, 2],
      ] as const) {
        const x = rand([2, 13, 3], seed++);
        const w = rand([3, 3, 4], seed++);
        const want = naiveConv1d(x, w, s, d, pad);
        const y = conv1d(x, w, { strides: s, dilationRate: d, padding: pad });
        assert.deepEqual(y.shape, [2, want.steps, 4], `${pad} strides ${s} dilation ${d}`);
        expectClose(y, want.data, { atol: 1e-5 });
      }
  });

  it("keeps 'causal' outputs independent of later steps", () => {
    const x = rand([1, 10, 2], 3);
    const w = rand([4, 2, 3], 4);
    const before = conv1d(x, w, { padding: 'causal', dilationRate: 2 });
    assert.deepEqual(before.shape, [1, 10, 3]);
    x.data[2 * 6] = 100; // step 6, channel 0
    const after = conv1d(x, w, { padding: 'causal', dilationRate: 2 });
    expectClose(after.data.slice(0, 6 * 3), before.data.slice(0, 6 * 3));
    assert.notEqual(after.data[6 * 3], before.data[6 * 3]);
  });

  it('sums a box filter by hand', () => {
    const x = tensor([[[1], [2], [3], [4]]]);
    expectClose(conv1d(x, ones([2, 1, 1])), [[[3], [5], [7]]]);
    expectClose(conv1d(x, ones([2, 1, 1]), { padding: 'causal' }), [[[1], [3], [5], [7]]]);
  });

  it('has finite-difference gradients, including causal padding', () => {
    for (const opts of [
      { padding: 'causal', dilationRate: 2 },
      { padding: 'same', strides: 2 },
      { padding: 'valid' },
    ] as const) {
      expectGradOk((x, w) => conv1d(x, w, opts), [rand([2, 7, 2], 5), rand([3, 2, 2], 6)]);
    }
  });

  it('rejects wrong ranks, channel mismatches and bad options', () => {
    assert.throws(
      () => conv1d(rand([5, 3]), rand([3, 3, 1])),
      /conv1d: expected input rank 3 \[batch, steps, channels\], got \[5, 3\]/,
    );
    assert.throws(
      () => conv1d(rand([1, 5, 3]), rand([3, 3])),
      /conv1d: expected filter rank 3 \[kernelSize, inChannels, outChannels\], got \[3, 3\]/,
    );
    assert.throws(
      () => conv1d(rand([1, 5, 2]), rand([3, 3, 4])),
      /conv1d: input has 2 channels but filter expects 3 \(\[3, 3, 4\]\)/,
    );
    assert.throws(
      () => conv1d(rand([1, 5, 1]), rand([3, 1, 1]), { padding: 'full' as 'same' }),
      /conv1d: padding must be 'valid', 'same' or 'causal', got "full"/,
    );
    assert.throws(
      () => conv1d(rand([1, 5, 1]), rand([3, 1, 1]), { strides: 0 }),
      /conv1d: strides must be a positive integer/,
    );
    assert.throws(
      () => conv1d(rand([1, 4, 1]), rand([3, 1, 1]), { dilationRate: 2 }),
      /conv1d: the kernel \(5 steps, dilation included\) is longer than the input \(4 steps\)/,
    );
  });
});
