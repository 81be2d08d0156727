import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Logs } from '../../../src/nn/callbacks/callback.js';
import { ReduceLROnPlateau } from '../../../src/nn/callbacks/reduce-lr-on-plateau.js';
import { FakeModel } from './fake-model.js';

/** The learning rate after each epoch for these monitored values. */
function rates(cb: ReduceLROnPlateau, values: number[], lr = 1, key = 'val_loss'): number[] {
  const model = new FakeModel();
  model.optimizer.learningRate = lr;
  cb.setModel(model);
  cb.onTrainBegin({});
  return values.map((v, epoch) => {
    cb.onEpochEnd(epoch, { [key]: v });
    return model.optimizer.learningRate;
  });
}

function close(a: number[], b: number[]): void {
  assert.equal(a.length, b.length);
  a.forEach((x, i) => {
    assert.ok(Math.abs(x - b[i]!) < 1e-12, `${a} vs expected ${b}`);
  });
}

describe('ReduceLROnPlateau', () => {
  it('multiplies the rate by factor after patience epochs without improvement', () => {
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 2 });
    close(
      rates(cb, [1, 0.5, 0.6, 0.7, 0.8, 0.9, 0.4, 0.45]),
      [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.25],
    );
  });

  it('waits cooldown epochs after a reduction', () => {
    // Keras counts the cooldown down at the start of each epoch's check, so cooldown 2 rests one
    // epoch between reductions (epochs 1, 3, 5) and cooldown 3 rests two (epochs 1, 4).
    const values = [1, 2, 2, 2, 2, 2];
    close(
      rates(new ReduceLROnPlateau({ factor: 0.5, patience: 1 }), values),
      [1, 0.5, 0.25, 0.125, 0.0625, 0.03125],
    );
    close(
      rates(new ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 2 }), values),
      [1, 0.5, 0.5, 0.25, 0.25, 0.125],
    );
    close(
      rates(new ReduceLROnPlateau({ factor: 0.5, patience: 1, cooldown: 3 }), values),
      [1, 0.5, 0.5, 0.5, 0.25, 0.25],
    );
  });

  it('never goes below minLr', () => {
    const cb = new ReduceLROnPlateau({ factor: 0.1, patience: 1, minLr: 0.05 });
    close(rates(cb, [1, 1, 1, 1]), [1, 0.1, 0.05, 0.05]);
  });

  it('ignores improvements smaller than minDelta', () => {
    const cb = new ReduceLROnPlateau({ factor: 0.5, patience: 1, minDelta: 0.1 });
    close(rates(cb, [1, 0.95, 0.5]), [1, 0.5, 0.5]);
  });

  it('watches accuracies upward in auto mode', () => {
    const cb = new ReduceLROnPlateau({ monitor: 'val_accuracy', factor: 0.5, patience: 1 });
    close(rates(cb, [0.5, 0.6, 0.55, 0.7], 1, 'val_accuracy'), [1, 1, 0.5, 0.5]);
  });

  it('logs the learning rate', () => {
    const cb = new ReduceLROnPlateau();
    const model = new FakeModel();
    cb.setModel(model);
    cb.onTrainBegin({});
    const logs: Logs = { val_loss: 1 };
    cb.onEpochEnd(0, logs);
    assert.equal(logs['learning_rate'], 0.1);
  });

  it('rejects factor >= 1 and a model without optimizer', () => {
    assert.throws(
      () => new ReduceLROnPlateau({ factor: 1 }),
      /ReduceLROnPlateau: factor must be < 1, got 1/,
    );
    const cb = new ReduceLROnPlateau();
    const model = new FakeModel();
    (model as { optimizer: unknown }).optimizer = null;
    cb.setModel(model);
    assert.throws(
      () => cb.onEpochEnd(0, { val_loss: 1 }),
      /ReduceLROnPlateau: the model has no optimizer; compile it before fit/,
    );
  });
});
