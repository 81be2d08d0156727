import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import {
  conv2d,
  depthwiseConv2d,
  depthwiseConv2dBackpropFilter,
  depthwiseConv2dBackpropInput,
  mul,
  sum,
} from '../../src/ops/index.js';
import { tensor, zeros } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** The depthwise filter [fh, fw, C, m] as a full conv2d filter [fh, fw, C, C·m], zero off the diagonal. */
function blockDiagonal(w: Tensor): Tensor {
  const [fh, fw, c, m] = w.shape as [number, number, number, number];
  const full = new Float32Array(fh * fw * c * c * m);
  for (let t = 0; t < fh * fw; t++)
    for (let ch = 0; ch < c; ch++)
      for (let k = 0; k < m; k++)
        full[(t * c + ch) * c * m + ch * m + k] = w.data[(t * c + ch) * m + k]!;
  return tensor(full, [fh, fw, c, c * m]);
}

const CASES: [number[], number[], Parameters<typeof depthwiseConv2d>[2]][] = [
  [[2, 5, 6, 3], [3, 3, 3, 1], {}],
  [[1, 7, 5, 2], [3, 2, 2, 3], { strides: [2, 1], padding: 'same' }],
  [[2, 6, 6, 3], [2, 3, 3, 2], { dilationRate: [2, 1], padding: 'same' }],
  [
    [1, 5, 5, 1],
    [3, 3, 1, 2],
    {
      strides: 2,
      padding: [
        [1, 0],
        [0, 2],
      ],
    },
  ],
];

describe('depthwiseConv2d', () => {
  it('equals conv2d with the block-diagonal filter on odd shapes, strides, dilation and padding', () => {
    for (const [xs, ws, opts] of CASES) {
      const x = rand(xs, 1);
      const w = rand(ws, 2);
      expectClose(depthwiseConv2d(x, w, opts), conv2d(x, blockDiagonal(w), opts), { atol: 1e-5 });
    }
  });

  it('computes a hand-checked value: each channel with its own filters', () => {
    const x = tensor([
      [
        [
          [1, 10],
          [2, 20],
        ],
        [
          [3, 30],
          [4, 40],
        ],
      ],
    ]);
    const w = tensor([
      [
        [
          [1, -1],
          [0.5, 0],
        ],
      ],
    ]); // 1x1, C=2, m=2
    expectClose(depthwiseConv2d(x, w), [
      [
        [
          [1, -1, 5, 0],
          [2, -2, 10, 0],
        ],
        [
          [3, -3, 15, 0],
          [4, -4, 20, 0],
        ],
      ],
    ]);
    assert.deepEqual(depthwiseConv2d(zeros([0, 3, 3, 2]), rand([2, 2, 2, 1])).shape, [0, 2, 2, 2]);
  });

  it('has finite-difference gradients for input and filter, and for its gradient ops', () => {
    for (const [xs, ws, opts] of CASES) {
      expectGradOk((x, w) => depthwiseConv2d(x, w, opts), [rand(xs, 3), rand(ws, 4)]);
    }
    const [xs, ws, opts] = CASES[1]!;
    const dyShape = [...depthwiseConv2d(rand(xs), rand(ws), opts).shape];
    expectGradOk(
      (dy, w) => depthwiseConv2dBackpropInput(dy, w, xs, opts),
      [rand(dyShape, 5), rand(ws, 6)],
    );
    expectGradOk(
      (x, dy) => depthwiseConv2dBackpropFilter(x, dy, ws, opts),
      [rand(xs, 7), rand(dyShape, 8)],
    );
  });

  it('its backprop ops equal conv2d’s gradients with the block-diagonal filter', () => {
    const x = rand([2, 5, 4, 3], 9);
    const w = rand([3, 3, 3, 2], 10);
    const opts = { strides: 2, padding: 'same' } as const;
    const dy = rand([...depthwiseConv2d(x, w, opts).shape], 11);
    const full = blockDiagonal(w);
    x.requiresGrad = true;
    full.requiresGrad = true;
    const [gx, gFull] = grad(sum(mul(conv2d(x, full, opts), dy)), [x, full]);
    expectClose(depthwiseConv2dBackpropInput(dy, w, x.shape, opts), gx!, { atol: 1e-5 });
    // The depthwise filter gradient is the diagonal of the full one.
    const dw = depthwiseConv2dBackpropFilter(x, dy, w.shape, opts);
    const [fh, fw, c, m] = w.shape as [number, number, number, number];
    const diag = new Float32Array(w.size);
    for (let t = 0; t < fh * fw; t++)
      for (let ch = 0; ch < c; ch++)
        for (let k = 0; k < m; k++)
          diag[(t * c + ch) * m + k] = gFull!.data[(t * c + ch) * c * m + ch * m + k]!;
    expectClose(dw, diag, { atol: 1e-5 });
  });

  it('rejects bad shapes naming the op and the shapes', () => {
    assert.throws(
      () => depthwiseConv2d(rand([1, 4, 4, 3]), rand([3, 3, 2, 1])),
      /depthwiseConv2d: input has 3 channels but filter expects 2 \(\[3, 3, 2, 1\]\)/,
    );
    assert.throws(
      () => depthwiseConv2d(rand([1, 4, 4, 3]), rand([3, 3, 3])),
      /depthwiseConv2d: expected filter rank 4 \[filterH, filterW, inChannels, multiplier\], got \[3, 3, 3\]/,
    );
    assert.throws(
      () => depthwiseConv2d(rand([4, 4, 3]), rand([3, 3, 3, 1])),
      /depthwiseConv2d: expected input rank 4/,
    );
    assert.throws(
      () => depthwiseConv2dBackpropInput(rand([1, 2, 2, 3]), rand([3, 3, 3, 1]), [1, 5, 5, 3]),
      /depthwiseConv2dBackpropInput: dy has shape \[1, 2, 2, 3\] but the forward op's output is \[1, 3, 3, 3\]/,
    );
  });
});
