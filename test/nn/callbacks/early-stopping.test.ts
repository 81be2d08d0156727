import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EarlyStopping } from '../../../src/nn/callbacks/early-stopping.js';
import { tensor } from '../../../src/tensor/create.js';
import { FakeModel } from './fake-model.js';

/** Drives `cb` like fit does over the monitored values; returns the epochs run and the model. */
function drive(cb: EarlyStopping, values: number[], key = 'val_loss') {
  const model = new FakeModel();
  cb.setModel(model);
  cb.onTrainBegin({});
  let epochs = 0;
  for (let epoch = 0; epoch < values.length && !model.stopTraining; epoch++) {
    model.weight = tensor([epoch]); // the weights "after epoch e" hold e
    cb.onEpochEnd(epoch, { loss: 1, [key]: values[epoch]! });
    epochs++;
  }
  cb.onTrainEnd({});
  return { epochs, model };
}

describe('EarlyStopping', () => {
  it('stops after `patience` epochs without improvement', () => {
    const cb = new EarlyStopping({ patience: 2 });
    const { epochs, model } = drive(cb, [1, 0.8, 0.9, 0.85, 0.7, 0.6]);
    assert.equal(epochs, 4); // best at epoch 1, then epochs 2 and 3 without improvement
    assert.equal(model.stopTraining, true);
    assert.equal(cb.stoppedEpoch, 3);
    assert.equal(cb.best, 0.8);
    assert.equal(cb.bestEpoch, 1);
    assert.equal(model.weight.item(), 3); // weights not restored by default
  });

  it('restores the best weights at the end of training', () => {
    const cb = new EarlyStopping({ patience: 2, restoreBestWeights: true });
    const { model } = drive(cb, [1, 0.8, 0.9, 0.85, 0.7]);
    assert.equal(model.weight.item(), 1);
  });

  it('restores the best weights even when training was not stopped', () => {
    const cb = new EarlyStopping({ patience: 5, restoreBestWeights: true });
    const { epochs, model } = drive(cb, [1, 0.5, 0.9]);
    assert.equal(epochs, 3);
    assert.equal(cb.stoppedEpoch, 0);
    assert.equal(model.weight.item(), 1);
  });

  it('patience 0 stops at the first non-improvement (never at epoch 0)', () => {
    assert.equal(drive(new EarlyStopping(), [1, 1.1, 0.5]).epochs, 2);
  });

  it('requires an improvement larger than minDelta', () => {
    const cb = new EarlyStopping({ patience: 1, minDelta: 0.1 });
    assert.equal(drive(cb, [1, 0.95, 0.5]).epochs, 2);
    assert.equal(drive(new EarlyStopping({ patience: 1 }), [1, 0.95, 0.9]).epochs, 3);
  });

  it('maximises accuracies in auto mode and honours an explicit mode', () => {
    const acc = new EarlyStopping({ monitor: 'val_accuracy', patience: 1 });
    assert.equal(drive(acc, [0.5, 0.6, 0.7, 0.65, 0.8], 'val_accuracy').epochs, 4);
    const forced = new EarlyStopping({ monitor: 'val_loss', mode: 'max', patience: 1 });
    assert.equal(drive(forced, [1, 0.9, 2]).epochs, 2);
  });

  it('keeps training while the baseline is not beaten, then stops', () => {
    // Improving but never below the baseline: the wait is not reset, so the first epoch without
    // improvement after `patience` epochs stops training (Keras's rule).
    const values = [0.9, 0.8, 0.85, 0.7];
    assert.equal(drive(new EarlyStopping({ patience: 3, baseline: 0.5 }), values).epochs, 3);
    assert.equal(drive(new EarlyStopping({ patience: 3 }), values).epochs, 4);
    const beaten = new EarlyStopping({ patience: 2, baseline: 0.5 });
    assert.equal(drive(beaten, [0.9, 0.4, 0.45, 0.42, 0.41, 0.3]).epochs, 4);
  });

  it('waits startFromEpoch epochs before watching', () => {
    const cb = new EarlyStopping({ patience: 1, startFromEpoch: 3 });
    assert.equal(drive(cb, [1, 2, 3, 4, 5, 6]).epochs, 5);
  });

  it('does nothing when the monitored value is missing (with one warning)', () => {
    const warn = console.warn;
    const messages: string[] = [];
    console.warn = (m: string) => messages.push(m);
    try {
      const cb = new EarlyStopping({ monitor: 'val_loss' });
      assert.equal(drive(cb, [1, 2, 3], 'loss_other').epochs, 3);
    } finally {
      console.warn = warn;
    }
    assert.equal(messages.length, 1);
    assert.match(
      messages[0]!,
      /EarlyStopping: monitoring 'val_loss', which is not in the logs; available: loss, loss_other/,
    );
  });

  it('rejects a bad mode and a name it cannot classify', () => {
    assert.throws(
      () => new EarlyStopping({ mode: 'up' as 'max' }),
      /EarlyStopping: mode must be 'auto', 'min' or 'max', got 'up'/,
    );
    assert.throws(
      () => drive(new EarlyStopping({ monitor: 'score' }), [1], 'score'),
      /EarlyStopping: cannot tell whether 'score' should be minimised or maximised; pass mode: 'min' or mode: 'max'/,
    );
  });
});
