import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { conv2d } from '../../src/ops/conv2d.js';
import { conv2dBackpropFilter } from '../../src/ops/conv2d-backprop-filter.js';
import { conv2dBackpropInput } from '../../src/ops/conv2d-backprop-input.js';
import { arange, ones, tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import {
  geometry,
  naiveBackpropFilter,
  naiveBackpropInput,
  naiveConv2d,
  type Pad,
} from './window-reference.js';

interface Case {
  x: [number, number, number, number];
  k: [number, number];
  cout: number;
  s: [number, number];
  d: [number, number];
  pad: Pad;
}

const CASES: Case[] = [
  { x: [2, 7, 9, 3], k: [3, 3], cout: 4, s: [1, 1], d: [1, 1], pad: 'valid' },
  { x: [2, 7, 9, 3], k: [3, 3], cout: 4, s: [1, 1], d: [1, 1], pad: 'same' },
  { x: [3, 8, 11, 2], k: [3, 2], cout: 5, s: [2, 2], d: [1, 1], pad: 'same' },
  { x: [1, 10, 9, 2], k: [2, 3], cout: 3, s: [2, 1], d: [1, 1], pad: 'valid' },
  { x: [2, 9, 10, 3], k: [3, 3], cout: 2, s: [1, 1], d: [2, 2], pad: 'same' },
  { x: [2, 11, 8, 1], k: [3, 2], cout: 6, s: [1, 2], d: [2, 3], pad: 'valid' },
  { x: [1, 12, 12, 2], k: [4, 4], cout: 3, s: [3, 3], d: [1, 1], pad: 'same' },
  { x: [2, 9, 9, 3], k: [3, 3], cout: 2, s: [2, 2], d: [2, 2], pad: 'same' },
  { x: [2, 6, 7, 4], k: [1, 1], cout: 5, s: [1, 1], d: [1, 1], pad: 'valid' },
  { x: [2, 6, 7, 4], k: [1, 1], cout: 5, s: [2, 2], d: [1, 1], pad: 'same' },
  {
    x: [1, 5, 6, 2],
    k: [3, 3],
    cout: 2,
    s: [1, 2],
    d: [1, 1],
    pad: [
      [2, 0],
      [1, 3],
    ],
  },
  // fh*fw*inC = 576, so the 578 output pixels are lowered in two chunks.
  { x: [2, 17, 17, 64], k: [3, 3], cout: 3, s: [1, 1], d: [1, 1], pad: 'same' },
];

function label(c: Case): string {
  return `x ${c.x} k ${c.k} cout ${c.cout} strides ${c.s} dilation ${c.d} ${JSON.stringify(c.pad)}`;
}

describe('conv2d', () => {
  it('computes a hand-checked 2x2 box sum', () => {
    const x = tensor(arange(0, 9).data, [1, 3, 3, 1]);
    expectClose(conv2d(x, ones([2, 2, 1, 1])), tensor([8, 12, 20, 24], [1, 2, 2, 1]));
  });

  it('matches a direct convolution on odd sizes, strides, dilations and paddings', () => {
    for (const [n, c] of CASES.entries()) {
      const x = rand(c.x, 10 + n);
      const w = rand([c.k[0], c.k[1], c.x[3], c.cout], 50 + n);
      const g = geometry(c.x, c.k, c.s, c.d, c.pad);
      const y = conv2d(x, w, { strides: c.s, dilationRate: c.d, padding: c.pad });
      assert.deepEqual(y.shape, [g.b, g.oh, g.ow, c.cout], label(c));
      expectClose(y, naiveConv2d(x, w, g), { atol: 1e-4, rtol: 1e-4 });
    }
  });

  it('matches direct loops for the input and filter gradients (conv2dBackpropInput/Filter)', () => {
    for (const [n, c] of CASES.entries()) {
      const opts = { strides: c.s, dilationRate: c.d, padding: c.pad };
      const x = rand(c.x, 10 + n);
      const g = geometry(c.x, c.k, c.s, c.d, c.pad);
      const fShape = [c.k[0], c.k[1], c.x[3], c.cout];
      const w = rand(fShape, 50 + n);
      const dy = rand([g.b, g.oh, g.ow, c.cout], 90 + n);
      const dx = conv2dBackpropInput(dy, w, c.x, opts);
      assert.deepEqual(dx.shape, c.x, label(c));
      expectClose(dx, naiveBackpropInput(dy, w, g), { atol: 1e-4, rtol: 1e-4 });
      const dw = conv2dBackpropFilter(x, dy, fShape, opts);
      assert.deepEqual(dw.shape, fShape, label(c));
      expectClose(dw, naiveBackpropFilter(x, dy, g, c.cout), { atol: 1e-3, rtol: 1e-4 });
    }
  });

  it("pads the odd cell of 'same' on the bottom/right, as TF does", () => {
    // in 4, kernel 2, stride 1: one padding cell, after the input; in 4, kernel 3, stride 2: same.
    const x = tensor(arange(1, 5).data, [1, 1, 4, 1]);
    expectClose(conv2d(x, ones([1, 2, 1, 1]), { padding: 'same' }), [3, 5, 7, 4]);
    expectClose(conv2d(x, ones([1, 3, 1, 1]), { padding: 'same', strides: 2 }), [6, 7]);
  });

  it('has finite-difference gradients for input and filter', () => {
    const cases: [number[], number[], Parameters<typeof conv2d>[2]][] = [
      [[2, 5, 5, 2], [3, 3, 2, 2], { padding: 'same', strides: 2 }],
      [[1, 6, 5, 2], [2, 2, 2, 3], { padding: 'valid', dilationRate: 2 }],
      [[2, 4, 4, 3], [1, 1, 3, 2], {}],
    ];
    for (const [xs, ws, opts] of cases) {
      expectGradOk((x, w) => conv2d(x, w, opts), [rand(xs, 1), rand(ws, 2)]);
    }
  });

  it('differentiates its backprop ops again (second-order gradients)', () => {
    const opts = { padding: 'same', strides: 2 } as const;
    expectGradOk(
      (dy, w) => conv2dBackpropInput(dy, w, [1, 5, 5, 2], opts),
      [rand([1, 3, 3, 2], 3), rand([3, 3, 2, 2], 4)],
    );
    expectGradOk(
      (x, dy) => conv2dBackpropFilter(x, dy, [3, 3, 2, 2], opts),
      [rand([1, 5, 5, 2], 5), rand([1, 3, 3, 2], 6)],
    );
  });

  it('propagates NaN only to the outputs that read it', () => {
    const x = rand([1, 5, 5, 1], 7);
    x.data[0] = Number.NaN;
    const y = conv2d(x, rand([2, 2, 1, 1], 8)).data;
    assert.ok(Number.isNaN(y[0]!));
    assert.ok(Number.isFinite(y[1]!) && Number.isFinite(y[15]!));
    x.data[0] = Infinity;
    assert.equal(conv2d(x, ones([2, 2, 1, 1])).data[0], Infinity);
  });

  it('handles empty batches and zero output channels', () => {
    assert.deepEqual(conv2d(rand([0, 5, 5, 2]), rand([3, 3, 2, 4])).shape, [0, 3, 3, 4]);
    assert.deepEqual(conv2d(rand([1, 5, 5, 2]), rand([3, 3, 2, 0])).shape, [1, 3, 3, 0]);
  });

  it('rejects wrong ranks, channel mismatches, bad options and dtypes with the shapes', () => {
    assert.throws(
      () => conv2d(rand([28, 28]), rand([3, 3, 1, 32])),
      /conv2d: expected input rank 4 \[batch, h, w, channels\], got \[28, 28\]/,
    );
    assert.throws(
      () => conv2d(rand([1, 5, 5, 1]), rand([3, 3, 1])),
      /conv2d: expected filter rank 4 \[filterH, filterW, inChannels, outChannels\], got \[3, 3, 1\]/,
    );
    assert.throws(
      () => conv2d(rand([1, 5, 5, 3]), rand([3, 3, 1, 32])),
      /conv2d: input has 3 channels but filter expects 1 \(\[3, 3, 1, 32\]\)/,
    );
    assert.throws(
      () => conv2d(rand([1, 5, 5, 1]), rand([3, 3, 1, 1]), { strides: [0, 1] }),
      /conv2d: strides must be a positive integer or 2 of them, got \[0, 1\]/,
    );
    assert.throws(
      () => conv2d(rand([1, 5, 5, 1]), rand([3, 3, 1, 1]), { padding: 'causal' as 'same' }),
      /conv2d: padding must be 'valid', 'same' or \[\[top, bottom\], \[left, right\]\], got "causal"/,
    );
    assert.throws(
      () => conv2d(rand([1, 2, 5, 1]), rand([3, 3, 1, 1])),
      /conv2d: the window \(3 cells along height, dilation included\) is larger than the input \(2\)/,
    );
    assert.throws(
      () => conv2d(tensor([[[[1]]]], undefined, 'int32'), rand([1, 1, 1, 1])),
      /conv2d: argument 'x' has dtype int32/,
    );
    assert.throws(
      () => conv2dBackpropInput(rand([1, 2, 2, 1]), rand([3, 3, 1, 1]), [1, 5, 5, 1]),
      /conv2dBackpropInput: dy has shape \[1, 2, 2, 1\] but the forward op's output is \[1, 3, 3, 1\]/,
    );
    assert.throws(
      () => conv2dBackpropFilter(rand([1, 5, 5, 2]), rand([1, 3, 3, 1]), [3, 3, 1, 1]),
      /conv2dBackpropFilter: input has 2 channels but filter expects 1/,
    );
  });
});
