import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RMSprop } from '../../../src/nn/optimizers/rmsprop.js';
import { expectClose } from '../../helpers.js';
import { gradSequence, runSteps } from './helpers.js';
import { rmspropSteps } from './reference.js';

describe('RMSprop', () => {
  it('takes one step lr g / sqrt(v + eps)', () => {
    const g = [0.5, -2, 1e-4];
    const want = [1, 1, 1].map((w0, i) => {
      const v = 0.1 * g[i]! ** 2;
      return w0 - (0.01 * g[i]!) / Math.sqrt(v + 1e-7);
    });
    expectClose(runSteps(new RMSprop({ learningRate: 0.01 }), [1, 1, 1], [g]), want, {
      atol: 1e-6,
    });
  });

  it('has Keras defaults', () => {
    const opt = new RMSprop();
    assert.deepEqual(
      [opt.learningRate, opt.rho, opt.momentum, opt.epsilon, opt.centered],
      [0.001, 0.9, 0, 1e-7, false],
    );
  });

  it('matches the plain rule over several steps', () => {
    const grads = gradSequence(6, 4);
    const w0 = [1, 2, -1, 0];
    const w = runSteps(new RMSprop({ learningRate: 0.01, rho: 0.8 }), w0, grads);
    expectClose(w, rmspropSteps(w0, grads, { lr: 0.01, rho: 0.8 }), { atol: 1e-6 });
  });

  it('matches the centered rule with momentum over several steps', () => {
    const grads = gradSequence(7, 4);
    const w0 = [1, 2, -1, 0];
    const args = { lr: 0.01, rho: 0.7, momentum: 0.5, centered: true };
    const opt = new RMSprop({ learningRate: 0.01, rho: 0.7, momentum: 0.5, centered: true });
    const w = runSteps(opt, w0, grads);
    expectClose(w, rmspropSteps(w0, grads, args), { atol: 1e-5 });
    const uncentered = rmspropSteps(w0, grads, { ...args, centered: false });
    assert.ok(Math.abs(uncentered[1]! - w.data[1]!) > 1e-4);
    assert.ok(opt.getSlot(w, 'average_gradient'));
    assert.ok(opt.getSlot(w, 'momentum'));
  });

  it('matches the centered rule without momentum', () => {
    const grads = gradSequence(4, 3);
    const w0 = [0.5, 0.5, 0.5];
    const opt = new RMSprop({ learningRate: 0.02, centered: true });
    expectClose(runSteps(opt, w0, grads), rmspropSteps(w0, grads, { lr: 0.02, centered: true }), {
      atol: 1e-5,
    });
  });
});
