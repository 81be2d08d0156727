import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sequential } from '../../../src/models/sequential.js';
import { LambdaCallback } from '../../../src/nn/callbacks/lambda-callback.js';
import { TerminateOnNaN } from '../../../src/nn/callbacks/terminate-on-nan.js';
import * as L from '../../../src/nn/layers/index.js';
import { SGD } from '../../../src/nn/optimizers/sgd.js';
import { setSeed } from '../../../src/random/rng.js';
import { tensor } from '../../../src/tensor/create.js';

/**
 * 8 samples of a small regression; the target of row `hugeRow` (if any) is 1e25, whose squared
 * error overflows float32 to Infinity (fit rejects NaN in the data itself).
 */
function data(hugeRow = -1) {
  const x = Array.from({ length: 8 }, (_, i) => [i / 8, 1 - i / 8]);
  const y = x.map(([a], i) => [i === hugeRow ? 1e25 : 2 * a!]);
  return { x: tensor(x), y: tensor(y) };
}

function model(lr = 0.1) {
  setSeed(5);
  const m = new Sequential([new L.Dense(1, { inputShape: [2] })]);
  m.compile({ optimizer: new SGD({ learningRate: lr }), loss: 'mse' });
  return m;
}

describe('TerminateOnNaN', () => {
  it('stops fit after the first batch whose loss is not finite, still ending the run cleanly', async () => {
    const m = model();
    const { x, y } = data(5);
    const batches: number[] = [];
    let ended = false;
    const cb = new TerminateOnNaN();
    const seen = new LambdaCallback({
      onTrainBatchEnd: (b) => {
        batches.push(b);
      },
      onTrainEnd: () => {
        ended = true;
      },
    });
    const log = console.log;
    const printed: string[] = [];
    console.log = (s: string) => printed.push(s);
    let history: Awaited<ReturnType<typeof m.fit>>;
    try {
      history = await m.fit(x, y, {
        epochs: 5,
        batchSize: 2,
        shuffle: false,
        verbose: 0,
        callbacks: [cb, seen],
      });
    } finally {
      console.log = log;
    }
    assert.deepEqual(batches, [0, 1, 2]); // row 5 is in batch 2; batch 3 never ran
    assert.deepEqual(cb.stoppedAt?.epoch, 0);
    assert.equal(cb.stoppedAt?.batch, 2);
    assert.equal(cb.stoppedAt?.loss, Number.POSITIVE_INFINITY);
    assert.equal(m.stopTraining, true);
    assert.equal(ended, true);
    assert.equal(history.history['loss']?.length, 1);
    assert.deepEqual(printed, ['Batch 2: Invalid loss, terminating training']);
  });

  it('stops a diverging run (NaN or Inf loss), and leaves a sound run alone', async () => {
    const { x, y } = data();
    const diverging = model(1e6);
    const cb = new TerminateOnNaN();
    const log = console.log;
    console.log = () => {};
    try {
      await diverging.fit(x, y, {
        epochs: 50,
        batchSize: 4,
        shuffle: false,
        verbose: 0,
        callbacks: [cb],
      });
    } finally {
      console.log = log;
    }
    assert.ok(cb.stoppedAt, 'stopped');
    assert.ok(!Number.isFinite(cb.stoppedAt.loss));
    assert.ok(cb.stoppedAt.epoch < 49);
    const sound = model();
    const quiet = new TerminateOnNaN();
    const h = await sound.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, callbacks: [quiet] });
    assert.equal(quiet.stoppedAt, null);
    assert.equal(h.history['loss']?.length, 3);
  });

  it('throws instead with raiseError, naming the batch', async () => {
    const m = model();
    const { x, y } = data(1);
    await assert.rejects(
      m.fit(x, y, {
        epochs: 2,
        batchSize: 2,
        shuffle: false,
        verbose: 0,
        callbacks: [new TerminateOnNaN({ raiseError: true })],
      }),
      /TerminateOnNaN: NaN or Inf loss encountered at batch 0\. Loss value: Infinity/,
    );
  });
});

describe('LambdaCallback', () => {
  it('calls each given function at its hook of a real fit, in order, awaiting async ones', async () => {
    const m = model();
    const { x, y } = data();
    const calls: string[] = [];
    let epochLosses: number[] = [];
    const cb = new LambdaCallback({
      onTrainBegin: () => {
        calls.push('trainBegin');
      },
      onEpochBegin: (e) => {
        calls.push(`epochBegin ${e}`);
      },
      onBatchBegin: (b) => {
        calls.push(`batchBegin ${b}`);
      },
      onTrainBatchEnd: (b, logs) => {
        calls.push(`batchEnd ${b}`);
        assert.ok(Number.isFinite(logs['loss']));
      },
      onEpochEnd: async (e, logs) => {
        await new Promise((r) => setTimeout(r, 5));
        calls.push(`epochEnd ${e}`);
        epochLosses = [...epochLosses, logs['loss']!];
      },
      onTrainEnd: () => {
        calls.push('trainEnd');
      },
    });
    const h = await m.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, callbacks: [cb] });
    const epoch = (e: number) => [
      `epochBegin ${e}`,
      'batchBegin 0',
      'batchEnd 0',
      'batchBegin 1',
      'batchEnd 1',
      `epochEnd ${e}`,
    ];
    assert.deepEqual(calls, ['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
    assert.deepEqual(epochLosses, h.history['loss']);
  });

  it('can stop training from a hook, and rejects both names of one hook or a non-function', async () => {
    const m = model();
    const { x, y } = data();
    const cb = new LambdaCallback({
      onEpochEnd: (e) => {
        if (e === 1) m.stopTraining = true;
      },
    });
    const h = await m.fit(x, y, { epochs: 10, batchSize: 4, verbose: 0, callbacks: [cb] });
    assert.equal(h.history['loss']?.length, 2);
    assert.throws(
      () => new LambdaCallback({ onBatchEnd: () => {}, onTrainBatchEnd: () => {} }),
      /LambdaCallback: give onTrainBatchEnd or its older name onBatchEnd, not both/,
    );
    assert.throws(
      () => new LambdaCallback({ onEpochEnd: 3 as never }),
      /LambdaCallback: onEpochEnd must be a function, got number/,
    );
  });
});
