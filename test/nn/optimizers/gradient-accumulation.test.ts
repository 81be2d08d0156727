import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sequential } from '../../../src/models/sequential.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { AdamW } from '../../../src/nn/optimizers/adamw.js';
import { slice } from '../../../src/ops/index.js';
import { setSeed } from '../../../src/random/rng.js';
import { tensor } from '../../../src/tensor/create.js';
import { Variable } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';

function model(): Sequential {
  setSeed(3);
  const m = new Sequential();
  m.add(new Dense(4, { activation: 'tanh', inputShape: [5] }));
  m.add(new Dense(2));
  return m;
}

describe('gradientAccumulationSteps', () => {
  it('4 micro-batches of 8 give the same update as one batch of 32 (mean loss)', () => {
    const x = rand([32, 5], 1);
    const y = rand([32, 2], 2);
    const big = model();
    big.compile({
      optimizer: new AdamW({ learningRate: 0.01, weightDecay: 0.1, globalClipnorm: 0.5 }),
      loss: 'mse',
    });
    const small = model();
    const opt = new AdamW({
      learningRate: 0.01,
      weightDecay: 0.1,
      globalClipnorm: 0.5,
      gradientAccumulationSteps: 4,
    });
    small.compile({ optimizer: opt, loss: 'mse' });
    expectClose(small.getWeights()[0]!, big.getWeights()[0]!);
    for (let step = 0; step < 2; step++) {
      big.trainOnBatch(x, y);
      for (let i = 0; i < 4; i++) {
        small.trainOnBatch(slice(x, [8 * i, 0], [8, -1]), slice(y, [8 * i, 0], [8, -1]));
        if (i < 3) assert.equal(opt.iterations, step, 'no update before the 4th micro-batch');
      }
      assert.equal(opt.iterations, step + 1);
      for (const [i, w] of small.getWeights().entries())
        expectClose(w, big.getWeights()[i]!, { atol: 1e-6 });
    }
    assert.throws(
      () => new AdamW({ gradientAccumulationSteps: 0 }),
      /gradientAccumulationSteps must be an integer >= 1/,
    );
  });
});

describe('excludeFromWeightDecay({belowRank})', () => {
  it('decays matrices only', () => {
    const opt = new AdamW({ learningRate: 0.1, weightDecay: 0.5 });
    opt.excludeFromWeightDecay({ belowRank: 2 });
    const kernel = new Variable(tensor([[1, 1]]), { name: 'k' });
    const bias = new Variable(tensor([1, 1]), { name: 'b' });
    opt.applyGradients([
      [tensor([[0, 0]]), kernel],
      [tensor([0, 0]), bias],
    ]);
    expectClose(kernel, [[0.95, 0.95]]);
    expectClose(bias, [1, 1]);
  });
});
