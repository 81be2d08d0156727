import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import {
  mul,
  scaledDotProductAttention,
  scaledDotProductAttentionWithScores,
  slice,
  sum,
} from '../../src/ops/index.js';
import { tensor } from '../../src/tensor/create.js';
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
