import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { add, concat, gru, mul, reshape, simpleRnn, sum } from '../../src/ops/index.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { gruReference, simpleRnnReference } from './recurrent-reference.js';

const B = 2;
const T = 4;
const IN = 3;
const U = 2;
const x = rand([B, T, IN], 1);
const h0 = rand([B, U], 5, -0.5, 0.5);
const mask = tensor(
  [
    [true, true, false, true],
    [false, true, true, false],
  ],
  [B, T],
);
const recMask = rand([B, U], 7, 0.5, 1.5);
const withLast = (r: { sequences: Tensor; lastH: Tensor }) =>
  concat([r.sequences, reshape(r.lastH, [B, 1, U])], 1);

const cases = [
  { name: 'gru', op: gru, ref: gruReference, gates: 3, bias: [2, 3 * U] },
  { name: 'simpleRnn', op: simpleRnn, ref: simpleRnnReference, gates: 1, bias: [U] },
] as const;

for (const c of cases) {
  const k = rand([IN, c.gates * U], 2, -0.6, 0.6);
  const rk = rand([U, c.gates * U], 3, -0.6, 0.6);
  const b = rand([...c.bias], 4, -0.3, 0.3);
  describe(c.name, () => {
    for (const goBackwards of [false, true]) {
      it(`matches the step-by-step composition (goBackwards=${goBackwards}, masked)`, () => {
        const o = { mask, goBackwards, recurrentMask: recMask };
        const got = c.op(x, k, rk, b, { ...o, initialH: h0 });
        const ref = c.ref(x, k, rk, b, { ...o, initial: [h0] });
        expectClose(got.sequences, ref.sequences, { atol: 1e-5 });
        expectClose(got.lastH, ref.states[0]!, { atol: 1e-5 });
      });
    }

    it('has the same gradients as the step-by-step composition', () => {
      const inputs = [x, k, rk, b, h0].map((t) => {
        const v = t.clone();
        v.requiresGrad = true;
        return v;
      });
      const [xi, ki, rki, bi, hi] = inputs as [Tensor, Tensor, Tensor, Tensor, Tensor];
      const o = { mask, goBackwards: true, recurrentMask: recMask };
      const got = c.op(xi, ki, rki, bi, { ...o, initialH: hi });
      const ref = c.ref(xi, ki, rki, bi, { ...o, initial: [hi] });
      const w = rand([B, T, U], 9);
      const g1 = grad(add(sum(mul(got.sequences, w)), sum(got.lastH)), inputs);
      const g2 = grad(add(sum(mul(ref.sequences, w)), sum(ref.states[0]!)), inputs);
      g1.forEach((g, i) => {
        expectClose(g!, g2[i]!, { atol: 1e-5 });
      });
    });

    it('has finite-difference gradients for every input', () => {
      const fn = (xi: Tensor, ki: Tensor, rki: Tensor, bi: Tensor, hi: Tensor) =>
        withLast(c.op(xi, ki, rki, bi, { initialH: hi, mask, recurrentMask: recMask }));
      expectGradOk(fn, [x, k, rk, b, h0], { atol: 2e-3, rtol: 2e-2 });
      expectGradOk(
        (xi, ki, rki, bi) => withLast(c.op(xi, ki, rki, bi, { goBackwards: true })),
        [x, k, rk, b],
        { atol: 2e-3, rtol: 2e-2 },
      );
    });

    it('rejects bad shapes with errors naming the argument', () => {
      assert.throws(() => c.op(x, k, rk, rand([7])), new RegExp(`${c.name}: expected bias`));
      assert.throws(
        () => c.op(x, k, rk, b, { recurrentMask: rand([2, 5]) }),
        new RegExp(`${c.name}: expected recurrentMask \\[2, 2\\]`),
      );
    });
  });
}
