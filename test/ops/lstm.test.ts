import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { add, concat, lstm, mul, stack, sum } from '../../src/ops/index.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';
import { lstmReference } from './recurrent-reference.js';

const B = 2;
const T = 4;
const IN = 3;
const U = 2;
const x = rand([B, T, IN], 1);
const k = rand([IN, 4 * U], 2, -0.6, 0.6);
const rk = rand([U, 4 * U], 3, -0.6, 0.6);
const b = rand([4 * U], 4, -0.3, 0.3);
const h0 = rand([B, U], 5, -0.5, 0.5);
const c0 = rand([B, U], 6, -0.5, 0.5);
const mask = tensor(
  [
    [true, true, false, true],
    [false, true, true, false],
  ],
  [B, T],
);
const recMask = rand([B, U], 7, 0.5, 1.5);

describe('lstm', () => {
  for (const goBackwards of [false, true]) {
    it(`matches the step-by-step composition (goBackwards=${goBackwards}, masked)`, () => {
      const got = lstm(x, k, rk, b, {
        initialH: h0,
        initialC: c0,
        mask,
        goBackwards,
        recurrentMask: recMask,
      });
      const ref = lstmReference(x, k, rk, b, {
        initial: [h0, c0],
        mask,
        goBackwards,
        recurrentMask: recMask,
      });
      expectClose(got.sequences, ref.sequences, { atol: 1e-5 });
      expectClose(got.lastH, ref.states[0]!, { atol: 1e-5 });
      expectClose(got.lastC, ref.states[1]!, { atol: 1e-5 });
    });
  }

  it('has the same gradients as the step-by-step composition', () => {
    const inputs = [x, k, rk, b, h0, c0].map((t) => {
      const v = t.clone();
      v.requiresGrad = true;
      return v;
    });
    const [xi, ki, rki, bi, hi, ci] = inputs as [Tensor, Tensor, Tensor, Tensor, Tensor, Tensor];
    const o = { mask, goBackwards: true, recurrentMask: recMask };
    const got = lstm(xi, ki, rki, bi, { ...o, initialH: hi, initialC: ci });
    const ref = lstmReference(xi, ki, rki, bi, { ...o, initial: [hi, ci] });
    const w = rand([B, T, U], 9);
    const lossOf = (seq: Tensor, h: Tensor, c: Tensor) =>
      add(sum(mul(seq, w)), add(sum(mul(h, 2)), sum(c)));
    const g1 = grad(lossOf(got.sequences, got.lastH, got.lastC), inputs);
    const g2 = grad(lossOf(ref.sequences, ref.states[0]!, ref.states[1]!), inputs);
    g1.forEach((g, i) => {
      expectClose(g!, g2[i]!, { atol: 1e-5 });
    });
  });

  it('outputs zeros at masked steps and carries the state through them', () => {
    const { sequences, lastH } = lstm(x, k, rk, b, { mask });
    for (let j = 0; j < U; j++) {
      assert.equal(sequences.data[(0 * T + 2) * U + j], 0);
      assert.equal(sequences.data[(1 * T + 0) * U + j], 0);
      // Sample 1's last step is masked: the last h is the h of step 2.
      assert.equal(lastH.data[U + j], sequences.data[(1 * T + 2) * U + j]);
    }
  });

  it('has finite-difference gradients for every input', () => {
    const fn = (xi: Tensor, ki: Tensor, rki: Tensor, bi: Tensor, hi: Tensor, ci: Tensor) => {
      const r = lstm(xi, ki, rki, bi, {
        initialH: hi,
        initialC: ci,
        mask,
        recurrentMask: recMask,
      });
      return concat([r.sequences, stack([r.lastH, r.lastC], 1)], 1);
    };
    expectGradOk(fn, [x, k, rk, b, h0, c0], { atol: 2e-3, rtol: 2e-2 });
    expectGradOk(
      (xi, ki, rki, bi) => lstm(xi, ki, rki, bi, { goBackwards: true }).sequences,
      [x, k, rk, b],
      { atol: 2e-3, rtol: 2e-2 },
    );
    // tfjs's hard_sigmoid gates (clip(0.2x + 0.5, 0, 1)), as loaded tfjs models use.
    expectGradOk(
      (xi, ki, rki, bi) =>
        lstm(xi, ki, rki, bi, { recurrentActivation: 'tfjs_hard_sigmoid' }).sequences,
      [x, k, rk, b],
      { atol: 2e-3, rtol: 2e-2 },
    );
  });

  it('rejects bad shapes with errors naming the argument', () => {
    assert.throws(() => lstm(rand([2, 3]), k, rk, b), /lstm: expected x rank 3/);
    assert.throws(() => lstm(x, rand([4, 8]), rk, b), /lstm: expected kernel \[3, 8\]/);
    assert.throws(() => lstm(x, k, rand([2, 6]), b), /lstm: expected recurrentKernel/);
    assert.throws(() => lstm(x, k, rk, rand([4])), /lstm: expected bias \[8\]/);
    assert.throws(
      () => lstm(x, k, rk, b, { mask: tensor([[true, false]]) }),
      /lstm: expected mask \[2, 4\]/,
    );
    assert.throws(
      () => lstm(x, k, rk, b, { initialH: rand([3, 2]) }),
      /lstm: expected initialH \[2, 2\]/,
    );
    assert.throws(
      () => lstm(x, k, rk, b, { activation: 'gelu' as 'tanh' }),
      /not supported by the fused kernel/,
    );
  });
});
