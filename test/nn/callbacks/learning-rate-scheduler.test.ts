import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logs } from '../../../src/nn/callbacks/callback.js';
import { LearningRateScheduler } from '../../../src/nn/callbacks/learning-rate-scheduler.js';
import { SGD } from '../../../src/nn/optimizers/sgd.js';
import { ExponentialDecay } from '../../../src/nn/schedules/exponential-decay.js';
import { FakeModel } from './fake-model.js';

describe('LearningRateScheduler', () => {
  it('sets the rate from (epoch, current rate) at each epoch start and logs it', () => {
    const seen: [number, number][] = [];
    const cb = new LearningRateScheduler((epoch, lr) => {
      seen.push([epoch, lr]);
      return epoch < 2 ? lr : lr / 2;
    });
    const model = new FakeModel();
    cb.setModel(model);
    const logged: number[] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      cb.onEpochBegin(epoch, {});
      const logs: Logs = { loss: 1 };
      cb.onEpochEnd(epoch, logs);
      logged.push(logs['learning_rate']!);
    }
    assert.deepEqual(seen, [
      [0, 0.1],
      [1, 0.1],
      [2, 0.1],
      [3, 0.05],
    ]);
    assert.deepEqual(logged, [0.1, 0.1, 0.05, 0.025]);
  });

  it('drives a real optimizer, replacing its schedule', () => {
    const optimizer = new SGD({
      learningRate: new ExponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 }),
    });
    const model = new FakeModel();
    model.optimizer = optimizer;
    const cb = new LearningRateScheduler((epoch) => 0.01 * (epoch + 1));
    cb.setModel(model);
    cb.onEpochBegin(2, {});
    assert.equal(optimizer.learningRate, 0.03);
  });

  it('rejects a schedule that does not return a rate', () => {
    const cb = new LearningRateScheduler(() => Number.NaN);
    cb.setModel(new FakeModel());
    assert.throws(
      () => cb.onEpochBegin(0, {}),
      /LearningRateScheduler: the schedule must return a finite number >= 0, got NaN at epoch 0/,
    );
    assert.throws(
      () => new LearningRateScheduler(undefined as never),
      /LearningRateScheduler: schedule must be a function/,
    );
  });
});
