import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AdamW } from '../../../src/nn/optimizers/adamw.js';
import { tensor } from '../../../src/tensor/create.js';
import { Variable } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';
import { gradSequence } from './helpers.js';
import { adamSteps } from './reference.js';

describe('AdamW', () => {
  it('defaults to weightDecay 0.004 and Adam hyperparameters', () => {
    const opt = new AdamW();
    assert.equal(opt.weightDecay, 0.004);
    assert.equal(opt.learningRate, 0.001);
    assert.equal(opt.epsilon, 1e-7);
    assert.equal(opt.name, 'AdamW');
  });

  it('decays weights (decoupled) before the Adam step, over several steps', () => {
    const grads = gradSequence(5, 3);
    const w0 = [2, -3, 0.5];
    const opt = new AdamW({ learningRate: 0.05, weightDecay: 0.1 });
    const w = new Variable(tensor(w0), { name: 'dense/kernel' });
    for (const g of grads) opt.applyGradients([[tensor(g), w]]);
    expectClose(w, adamSteps(w0, grads, { lr: 0.05, weightDecay: 0.1 }), { atol: 1e-6 });
    const noDecay = adamSteps(w0, grads, { lr: 0.05 });
    assert.ok(Math.abs(noDecay[1]! - w.data[1]!) > 1e-3);
  });

  it('a zero gradient still shrinks the weight by lr · wd · w', () => {
    const opt = new AdamW({ learningRate: 0.1, weightDecay: 0.5 });
    const w = new Variable(tensor([4]), { name: 'k' });
    opt.applyGradients([[tensor([0]), w]]);
    expectClose(w, [4 - 0.1 * 0.5 * 4]);
  });

  it('excludes variables by name substring and by identity', () => {
    const grads = gradSequence(3, 2);
    const w0 = [1, -1];
    const opt = new AdamW({ learningRate: 0.05, weightDecay: 0.2 });
    const kernel = new Variable(tensor(w0), { name: 'dense/kernel' });
    const bias = new Variable(tensor(w0), { name: 'dense/bias' });
    const gamma = new Variable(tensor(w0), { name: 'norm/gamma' });
    opt.excludeFromWeightDecay({ varNames: ['bias'], variables: [gamma] });
    for (const g of grads) {
      opt.applyGradients([
        [tensor(g), kernel],
        [tensor(g), bias],
        [tensor(g), gamma],
      ]);
    }
    expectClose(kernel, adamSteps(w0, grads, { lr: 0.05, weightDecay: 0.2 }), { atol: 1e-6 });
    expectClose(bias, adamSteps(w0, grads, { lr: 0.05 }), { atol: 1e-6 });
    expectClose(gamma, adamSteps(w0, grads, { lr: 0.05 }), { atol: 1e-6 });
  });

  it('rejects a negative weight decay', () => {
    assert.throws(() => new AdamW({ weightDecay: -1 }), /AdamW: weightDecay must be >= 0/);
  });
});
