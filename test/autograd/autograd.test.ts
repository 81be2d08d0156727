import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backward, grad } from '../../src/autograd/backward.js';
import { gradCheck } from '../../src/autograd/grad-check.js';
import { isGradEnabled, noGrad, recordNonDifferentiable } from '../../src/autograd/tape.js';
import { add } from '../../src/ops/add.js';
import { mul } from '../../src/ops/mul.js';
import { sum } from '../../src/ops/sum.js';
import { tensor } from '../../src/tensor/create.js';
import { type Tensor, Variable } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';

describe('autograd', () => {
  it('computes gradients of a shared subexpression (accumulation)', () => {
    const x = new Variable(tensor([1, 2, 3]));
    const y = mul(x, x); // x used twice
    const z = sum(add(y, x));
    const [g] = grad(z, [x]);
    expectClose(g!, [3, 5, 7]); // 2x + 1
  });

  it('runs backward iteratively through a very deep graph', () => {
    const x = new Variable(tensor([1]));
    let y: Tensor = x;
    for (let i = 0; i < 50_000; i++) y = add(y, 1e-6);
    const [g] = grad(sum(y), [x]);
    expectClose(g!, [1]);
  });

  it('accumulates into .grad of leaves with backward()', () => {
    const w = new Variable(tensor([2, 3]));
    backward(sum(mul(w, w)));
    backward(sum(w));
    expectClose(w.grad!, [5, 7]);
  });

  it('records nothing under noGrad and restores the mode after an exception', () => {
    const x = new Variable(tensor([1]));
    const y = noGrad(() => mul(x, 2));
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    assert.throws(() =>
      noGrad(() => {
        throw new Error('boom');
      }),
    );
    assert.equal(isGradEnabled(), true);
  });

  it('returns null for inputs the output does not depend on and errors on a constant output', () => {
    const a = new Variable(tensor([1]));
    const b = new Variable(tensor([1]));
    const [ga, gb] = grad(sum(mul(a, 3)), [a, b]);
    expectClose(ga!, [3]);
    assert.equal(gb, null);
    assert.throws(() => grad(tensor([1]), [a]), /does not require a gradient/);
  });

  it('throws when a gradient has to flow through a non-differentiable op', () => {
    const x = new Variable(tensor([1]));
    const y = recordNonDifferentiable('argmax', [x], tensor([0]));
    y.requiresGrad = true;
    assert.throws(() => grad(sum(mul(y, x)), [x]), /argmax: this op has no gradient/);
  });

  it('supports second derivatives with createGraph', () => {
    const x = new Variable(tensor([3]));
    const y = sum(mul(mul(x, x), x)); // x^3
    const [dy] = grad(y, [x], { createGraph: true });
    const [d2y] = grad(sum(dy!), [x]);
    expectClose(d2y!, [18]); // 6x
  });

  it('gradCheck detects a wrong gradient', () => {
    const bad = (x: Tensor) => {
      const y = noGrad(() => mul(x, x));
      y.requiresGrad = true;
      y.gradFn = { op: 'badSquare', inputs: [x], backward: (dy) => [mul(dy, x)] }; // should be 2x
      return y;
    };
    const r = gradCheck(bad, [tensor([1, 2, 3])]);
    assert.equal(r.ok, false);
    assert.match(r.message, /gradCheck failed: input 0 \[3\]/);
    assert.ok(gradCheck((x) => mul(x, x), [tensor([1, 2, 3])]).ok);
  });
});
