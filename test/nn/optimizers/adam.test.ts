import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Adam } from '../../../src/nn/optimizers/adam.js';
import { expectClose } from '../../helpers.js';
import { gradSequence, runSteps } from './helpers.js';
import { adamSteps } from './reference.js';

describe('Adam', () => {
  it('takes one step by the formula, epsilon outside the square root', () => {
    // With g = 1e-6, sqrt(v) = sqrt(0.001) · 1e-6 ≈ 3.2e-8 is comparable to epsilon = 1e-7,
    // so the step size depends on exactly where epsilon enters.
    const g = [1e-6, 0.5, -2];
    const lr = 0.01;
    const alpha = (lr * Math.sqrt(1 - 0.999)) / (1 - 0.9);
    const want = [1, 2, 3].map((w0, i) => {
      const m = 0.1 * g[i]!;
      const v = 0.001 * g[i]! ** 2;
      return w0 - (alpha * m) / (Math.sqrt(v) + 1e-7);
    });
    const w = runSteps(new Adam({ learningRate: lr }), [1, 2, 3], [g]);
    expectClose(w, want, { atol: 1e-6 });
    // The first element moved by ~0.024 lr·(1/(1+3.16)) rather than the full lr.
    assert.ok(Math.abs(1 - w.data[0]!) < 0.5 * lr);
  });

  it('has Keras defaults', () => {
    const opt = new Adam();
    assert.deepEqual(
      [opt.learningRate, opt.beta1, opt.beta2, opt.epsilon, opt.amsgrad],
      [0.001, 0.9, 0.999, 1e-7, false],
    );
  });

  it('matches the update over several steps', () => {
    const grads = gradSequence(8, 5);
    const w0 = [0.1, -0.2, 0.3, 1, -1];
    const opts = { lr: 0.02, beta1: 0.8, beta2: 0.95 };
    const w = runSteps(new Adam({ learningRate: 0.02, beta1: 0.8, beta2: 0.95 }), w0, grads);
    expectClose(w, adamSteps(w0, grads, opts), { atol: 1e-6 });
  });

  it('matches amsgrad over several steps (and differs from plain Adam)', () => {
    // Shrinking gradients with a short v memory make the running max of v differ from v.
    const grads = Array.from({ length: 6 }, (_, s) => [2 / (s + 1) ** 2, -1 / (s + 1), 0.3]);
    const w0 = [0, 0, 0];
    const opt = new Adam({ learningRate: 0.1, beta2: 0.5, amsgrad: true });
    const w = runSteps(opt, w0, grads);
    expectClose(w, adamSteps(w0, grads, { lr: 0.1, beta2: 0.5, amsgrad: true }), { atol: 1e-6 });
    const plain = adamSteps(w0, grads, { lr: 0.1, beta2: 0.5 });
    assert.ok(Math.abs(plain[0]! - w.data[0]!) > 1e-3);
  });

  it('keeps its moments in slots updated in place', () => {
    const opt = new Adam();
    const w = runSteps(opt, [1, 2], [[1, -1]]);
    expectClose(opt.getSlot(w, 'momentum')!, [0.1, -0.1]);
    expectClose(opt.getSlot(w, 'velocity')!, [0.001, 0.001]);
    const storage = opt.getSlot(w, 'momentum')!.data;
    const weights = w.data;
    opt.applyGradients([[w.clone(), w]]);
    assert.equal(opt.getSlot(w, 'momentum')!.data, storage);
    assert.equal(w.data, weights);
    assert.equal(opt.variables.length, 2);
  });
});
