import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import {
  add,
  layerNorm,
  mean,
  mul,
  rmsNorm,
  rsqrt,
  square,
  sub,
  sum,
} from '../../src/ops/index.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** (x - mean) / √(var + ε) · gamma + beta from small public ops: the reference. */
function reference(x: Tensor, gamma: Tensor | null, beta: Tensor | null, eps: number): Tensor {
  const c = sub(x, mean(x, -1, true));
  let y = mul(c, rsqrt(add(mean(square(c), -1, true), eps)));
  if (gamma) y = mul(y, gamma);
  if (beta) y = add(y, beta);
  return y;
}

describe('layerNorm', () => {
  it('matches the composition of small ops, with and without gamma/beta', () => {
    const x = rand([3, 4, 6], 1, -3, 3);
    const g = rand([6], 2);
    const b = rand([6], 3);
    expectClose(layerNorm(x, g, b, 1e-5), reference(x, g, b, 1e-5), { atol: 1e-5 });
    expectClose(layerNorm(x, null, b), reference(x, null, b, 1e-3), { atol: 1e-5 });
    expectClose(layerNorm(x), reference(x, null, null, 1e-3), { atol: 1e-5 });
    const y = layerNorm(x);
    expectClose(mean(y, -1), new Array(12).fill(0), { atol: 1e-5 });
  });

  it('has an analytic gradient that matches finite differences for x, gamma and beta', () => {
    const x = rand([2, 3, 5], 4, -2, 2);
    const g = rand([5], 5);
    const b = rand([5], 6);
    expectGradOk((xi, gi, bi) => layerNorm(xi!, gi!, bi!, 1e-5), [x, g, b], { eps: 1e-3 });
    expectGradOk((xi) => layerNorm(xi!), [x], { eps: 1e-3 });
    expectGradOk((xi, gi) => layerNorm(xi!, gi!, null), [x, g], { eps: 1e-3 });
  });

  it('agrees with the composed gradient and supports a second derivative', () => {
    const x = rand([4, 7], 7, -2, 2);
    x.requiresGrad = true;
    const g = rand([7], 8);
    g.requiresGrad = true;
    const w = rand([4, 7], 9);
    const [dx1, dg1] = grad(sum(mul(layerNorm(x, g, null, 1e-5), w)), [x, g]);
    const [dx2, dg2] = grad(sum(mul(reference(x, g, null, 1e-5), w)), [x, g]);
    expectClose(dx1!, dx2!, { atol: 1e-4 });
    expectClose(dg1!, dg2!, { atol: 1e-4 });
    // d/dx of sum(dL/dx · w): the createGraph path recomposes the gradient from public ops.
    const second = (f: (t: Tensor) => Tensor) => {
      const [d] = grad(sum(mul(f(x), w)), [x], { createGraph: true });
      return grad(sum(mul(d!, w)), [x])[0]!;
    };
    expectClose(
      second((t) => layerNorm(t, g, null, 1e-5)),
      second((t) => reference(t, g, null, 1e-5)),
      {
        atol: 1e-3,
        rtol: 1e-3,
      },
    );
  });

  it('rejects bad shapes and arguments with errors naming them', () => {
    assert.throws(
      () => layerNorm(rand([2, 3]), rand([4])),
      /layerNorm: gamma must have shape \[3\].*\[4\]/,
    );
    assert.throws(() => layerNorm(rand([2, 3]), null, rand([3, 1])), /layerNorm: beta/);
    assert.throws(() => layerNorm(rand([2, 3]), null, null, 0), /epsilon must be > 0/);
  });
});

describe('rmsNorm', () => {
  it('is x / √(mean(x²) + ε) · gamma, with a correct gradient', () => {
    const x = rand([3, 5], 10, -2, 2);
    const g = rand([5], 11);
    const ref = mul(mul(x, rsqrt(add(mean(square(x), -1, true), 1e-6))), g);
    expectClose(rmsNorm(x, g), ref, { atol: 1e-5 });
    expectGradOk((xi, gi) => rmsNorm(xi!, gi!), [x, g], { eps: 1e-3 });
    assert.throws(() => rmsNorm(x, rand([4])), /rmsNorm: gamma must have shape \[5\]/);
  });
});
