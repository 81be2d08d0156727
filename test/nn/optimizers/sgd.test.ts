import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SGD } from '../../../src/nn/optimizers/sgd.js';
import { expectClose } from '../../helpers.js';
import { gradSequence, runSteps } from './helpers.js';
import { sgdSteps } from './reference.js';

describe('SGD', () => {
  it('takes one plain step w -= lr g', () => {
    const w = runSteps(new SGD({ learningRate: 0.1 }), [1, -2, 3], [[0.5, 0.1, -1]]);
    expectClose(w, [1 - 0.05, -2 - 0.01, 3 + 0.1]);
  });

  it('has Keras defaults', () => {
    const opt = new SGD();
    assert.equal(opt.learningRate, 0.01);
    assert.equal(opt.momentum, 0);
    assert.equal(opt.nesterov, false);
    assert.equal(opt.name, 'SGD');
  });

  it('matches the momentum formula over several steps', () => {
    const grads = gradSequence(6, 4);
    const w0 = [0.5, -1, 2, 0];
    const w = runSteps(new SGD({ learningRate: 0.05, momentum: 0.9 }), w0, grads);
    expectClose(w, sgdSteps(w0, grads, { lr: 0.05, momentum: 0.9 }), { atol: 1e-6 });
  });

  it('matches the Nesterov formula over several steps', () => {
    const grads = gradSequence(6, 4);
    const w0 = [0.5, -1, 2, 0];
    const opt = new SGD({ learningRate: 0.05, momentum: 0.8, nesterov: true });
    const w = runSteps(opt, w0, grads);
    expectClose(w, sgdSteps(w0, grads, { lr: 0.05, momentum: 0.8, nesterov: true }), {
      atol: 1e-6,
    });
    // Nesterov differs from plain momentum, so the test can tell them apart.
    const plain = sgdSteps(w0, grads, { lr: 0.05, momentum: 0.8 });
    assert.ok(Math.abs(plain[1]! - w.data[1]!) > 1e-3);
    assert.equal(opt.iterations, 6);
  });

  it('creates a momentum slot only when momentum > 0', () => {
    const plain = new SGD();
    const w = runSteps(plain, [1], [[1]]);
    assert.equal(plain.getSlot(w, 'momentum'), undefined);
    const withMomentum = new SGD({ momentum: 0.5 });
    const w2 = runSteps(withMomentum, [1], [[1]]);
    expectClose(withMomentum.getSlot(w2, 'momentum')!, [-0.01]);
  });

  it('rejects a momentum outside [0, 1]', () => {
    assert.throws(() => new SGD({ momentum: 1.5 }), /SGD: momentum must be in \[0, 1\], got 1.5/);
  });
});
