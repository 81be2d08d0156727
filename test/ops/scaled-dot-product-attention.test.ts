import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { MultiHeadAttention } from '../../src/nn/layers/multi-head-attention.js';
import {
  broadcastTo,
  expandDims,
  mul,
  scaledDotProductAttention,
  scaledDotProductAttentionWithScores,
  slice,
  square,
  sum,
  transpose,
} from '../../src/ops/index.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** softmax(q kᵀ / √D + mask) v for one [T, D] head, in plain loops (float64). */
function naive(
  q: number[][],
  k: number[][],
  v: number[][],
  allowed: (i: number, j: number) => boolean,
): number[][] {
  const D = q[0]!.length;
  return q.map((qi, i) => {
    const logits = k.map((kj, j) =>
      allowed(i, j) ? qi.reduce((s, x, d) => s + x * kj[d]!, 0) / Math.sqrt(D) : -Infinity,
    );
    const m = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - m));
    const z = e.reduce((a, b) => a + b, 0);
    return v[0]!.map((_, c) => e.reduce((s, w, j) => s + (w / z) * v[j]![c]!, 0));
  });
}

const rows = (t: ReturnType<typeof rand>) => t.array() as number[][];

describe('scaledDotProductAttention', () => {
  it('matches a plain-loop reference, with query and key lengths that differ', () => {
    const q = rand([3, 4], 1);
    const k = rand([5, 4], 2);
    const v = rand([5, 2], 3);
    expectClose(
      scaledDotProductAttention(q, k, v),
      naive(rows(q), rows(k), rows(v), () => true),
      { atol: 1e-5 },
    );
    const mask = [
      [1, 1, 0, 0, 1],
      [0, 1, 1, 1, 1],
      [1, 0, 0, 0, 0],
    ];
    expectClose(
      scaledDotProductAttention(q, k, v, { mask: tensor(mask) }),
      naive(rows(q), rows(k), rows(v), (i, j) => mask[i]![j] === 1),
      { atol: 1e-5 },
    );
    // Causal with Tk > Tq: the 3 queries are the last 3 of 5 positions.
    expectClose(
      scaledDotProductAttention(q, k, v, { causal: true }),
      naive(rows(q), rows(k), rows(v), (i, j) => j <= i + 2),
      { atol: 1e-5 },
    );
  });

  it('returns attention weights that sum to one and are zero where masked', () => {
    const { scores } = scaledDotProductAttentionWithScores(
      rand([2, 3, 4, 8], 4),
      rand([2, 3, 4, 8], 5),
      rand([2, 3, 4, 8], 6),
      {
        causal: true,
      },
    );
    assert.deepEqual(scores.shape, [2, 3, 4, 4]);
    expectClose(sum(scores, -1), new Array(24).fill(1), { atol: 1e-5 });
    const s = scores.array() as number[][][][];
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) assert.equal(s[1]![2]![i]![j], 0);
  });

  it('has correct gradients with no mask, a mask and the causal mask', () => {
    const q = rand([2, 3, 4], 7);
    const k = rand([2, 5, 4], 8);
    const v = rand([2, 5, 3], 9);
    const mask = tensor(
      [
        [1, 1, 0, 1, 1],
        [0, 1, 1, 1, 1],
        [1, 1, 1, 1, 0],
      ],
      [3, 5],
      'bool',
    );
    const opts = { eps: 1e-3, atol: 2e-3 };
    expectGradOk((a, b, c) => scaledDotProductAttention(a!, b!, c!), [q, k, v], opts);
    expectGradOk((a, b, c) => scaledDotProductAttention(a!, b!, c!, { mask }), [q, k, v], opts);
    expectGradOk(
      (a, b, c) => scaledDotProductAttention(a!, b!, c!, { causal: true }),
      [q, k, v],
      opts,
    );
  });

  it('lets no information flow from future positions under the causal mask', () => {
    const T = 6;
    const q = rand([1, T, 4], 10);
    const k = rand([1, T, 4], 11);
    const v = rand([1, T, 4], 12);
    for (const x of [q, k, v]) x.requiresGrad = true;
    for (let t = 0; t < T; t++) {
      const out = slice(scaledDotProductAttention(q, k, v, { causal: true }), [0, t, 0], [1, 1, 4]);
      const grads = grad(sum(mul(out, rand([1, 1, 4], 13 + t))), [q, k, v]);
      for (const g of grads) {
        const a = g!.array() as number[][][];
        for (let s = t + 1; s < T; s++)
          assert.ok(
            a[0]![s]!.every((e) => e === 0),
            `position ${s} leaks into ${t}`,
          );
      }
      // The past does reach the output: v at positions <= t has a nonzero gradient.
      const gv = grads[2]!.array() as number[][][];
      assert.ok(
        gv[0]!
          .slice(0, t + 1)
          .flat()
          .some((e) => e !== 0),
      );
    }
  });

  it('runs the fused kernel and agrees with the composed path, masks, bias and causal included', () => {
    const q = rand([2, 3, 5, 4], 20);
    const k = rand([2, 3, 7, 4], 21);
    const v = rand([2, 3, 7, 6], 22);
    const mask = tensor(
      Array.from({ length: 2 * 5 * 7 }, (_, i) => (i % 5 === 3 ? 0 : 1)),
      [2, 1, 5, 7],
      'bool',
    );
    const bias = rand([3, 1, 7], 23);
    for (const options of [
      {},
      { causal: true },
      { mask },
      { mask, causal: true, scale: 0.3 },
      { bias },
      { bias, mask, causal: true },
    ]) {
      const fused = scaledDotProductAttention(q, k, v, options);
      const composed = scaledDotProductAttentionWithScores(q, k, v, options).output;
      expectClose(fused, composed, { atol: 1e-5 });
      for (const x of [q, k, v]) x.requiresGrad = true;
      const out = scaledDotProductAttention(q, k, v, options);
      assert.equal(out.gradFn?.op, 'scaledDotProductAttention', 'the fused path ran');
      const w = rand([...out.shape], 24);
      const g1 = grad(sum(mul(out, w)), [q, k, v]);
      const g2 = grad(sum(mul(scaledDotProductAttentionWithScores(q, k, v, options).output, w)), [
        q,
        k,
        v,
      ]);
      g1.forEach((g, i) => {
        expectClose(g!, g2[i]!, { atol: 1e-5 });
      });
      for (const x of [q, k, v]) x.requiresGrad = false;
    }
  });

  it('has correct gradients through the fused kernel with a bias, a mask and causal together', () => {
    const q = rand([2, 4, 3], 30);
    const k = rand([2, 6, 3], 31);
    const v = rand([2, 6, 5], 32);
    const mask = tensor([1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 0, 1], [2, 6], 'bool');
    const maskFull = broadcastTo(expandDims(mask, 1), [2, 4, 6]);
    const bias = rand([2, 4, 6], 33);
    const f = (a: Tensor, b: Tensor, c: Tensor) =>
      scaledDotProductAttention(a, b, c, { mask: maskFull, bias, causal: true });
    expectGradOk((a, b, c) => f(a!, b!, c!), [q, k, v], { eps: 1e-3, atol: 2e-3 });
    // A second derivative goes through the composed gradient, never silently zero.
    const x = rand([1, 3, 2], 34);
    x.requiresGrad = true;
    const y = scaledDotProductAttention(x, x, x, { causal: true, bias: rand([3, 3], 35) });
    const [g] = grad(sum(square(y)), [x], { createGraph: true });
    const [gg] = grad(sum(g!), [x]);
    assert.ok(gg!.data.some((e) => e !== 0));
  });

  it("takes the 'BTHD' layout (heads after the steps) with the same results and gradients", () => {
    const swap = (t: Tensor) => transpose(t, [0, 2, 1, 3]);
    const q = rand([2, 5, 3, 4], 50);
    const k = rand([2, 7, 3, 4], 51);
    const v = rand([2, 7, 3, 6], 52);
    const mask = tensor(
      Array.from({ length: 2 * 5 * 7 }, (_, i) => (i % 4 === 1 ? 0 : 1)),
      [2, 1, 5, 7],
      'bool',
    );
    for (const options of [{ causal: true }, { mask, bias: rand([3, 5, 7], 53) }]) {
      const reference = scaledDotProductAttention(swap(q), swap(k), swap(v), options);
      const out = scaledDotProductAttention(q, k, v, { ...options, layout: 'BTHD' });
      expectClose(out, swap(reference), { atol: 1e-5 });
      const viaScores = scaledDotProductAttentionWithScores(q, k, v, {
        ...options,
        layout: 'BTHD',
      });
      expectClose(viaScores.output, out, { atol: 1e-5 });
      assert.deepEqual(viaScores.scores.shape, [2, 3, 5, 7]);
    }
    expectGradOk(
      (a, b, c) => scaledDotProductAttention(a!, b!, c!, { causal: true, layout: 'BTHD' }),
      [rand([1, 4, 2, 3], 54), rand([1, 4, 2, 3], 55), rand([1, 4, 2, 2], 56)],
      { eps: 1e-3, atol: 2e-3 },
    );
  });

  it('routes MultiHeadAttention through the fused kernel unless it returns scores or drops out', () => {
    const x = rand([2, 5, 8], 40);
    const mha = new MultiHeadAttention(2, 4, { seed: 1 });
    const fused = mha.apply(x, { useCausalMask: true }) as Tensor;
    const [out, scores] = mha.apply(x, {
      useCausalMask: true,
      returnAttentionScores: true,
    }) as unknown as Tensor[];
    expectClose(fused, out!, { atol: 1e-5 });
    assert.deepEqual(scores!.shape, [2, 2, 5, 5]);
  });

  it('rejects mismatched head dimensions, lengths and mask shapes', () => {
    assert.throws(
      () => scaledDotProductAttention(rand([2, 3, 4]), rand([2, 5, 6]), rand([2, 5, 4])),
      /scaledDotProductAttention: q and k must have the same head dimension: q \[2, 3, 4\], k \[2, 5, 6\]/,
    );
    assert.throws(
      () => scaledDotProductAttention(rand([3, 4]), rand([5, 4]), rand([6, 4])),
      /k and v must have the same length/,
    );
    assert.throws(
      () =>
        scaledDotProductAttention(rand([3, 4]), rand([5, 4]), rand([5, 4]), {
          mask: tensor([[1, 1, 1]]),
        }),
      /mask \[1, 3\] does not fit the attention logits \[3, 5\]/,
    );
  });
});
