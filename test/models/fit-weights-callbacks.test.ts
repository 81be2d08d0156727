import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import '../../src/backends/index.js';
import type { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Callback, type Logs } from '../../src/nn/callbacks/callback.js';
import { CSVLogger } from '../../src/nn/callbacks/csv-logger.js';
import { EarlyStopping } from '../../src/nn/callbacks/early-stopping.js';
import { ReduceLROnPlateau } from '../../src/nn/callbacks/reduce-lr-on-plateau.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { BinaryCrossentropy } from '../../src/nn/losses/binary-crossentropy.js';
import { SGD } from '../../src/nn/optimizers/sgd.js';
import { ExponentialDecay } from '../../src/nn/schedules/index.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-fit-weights-'));
after(() => rmSync(dir, { recursive: true, force: true }));

// 10 samples in batches of 4: two full batches and a remainder of 2.
const X = randomUniform([10, 2], -1, 1, { rng: new Rng(5) });
const Y = tensor([0, 1, 1, 0, 1, 0, 0, 1, 1, 1], [10, 1]);
const SW = [1, 2, 0, 0.5, 3, 1, 1, 0.25, 2, 1];

function model(learningRate = 0): Model {
  setSeed(8);
  const m = new Sequential([
    new Dense(3, { activation: 'tanh', inputShape: [2] }),
    new Dense(1, { activation: 'sigmoid' }),
  ]);
  m.compile({
    optimizer: new SGD({ learningRate }),
    loss: 'binary_crossentropy',
    metrics: ['accuracy'],
  });
  return m;
}

/** Keras's weighted means: the loss Σ w·l / n, a metric Σ w·m / Σ w. */
function weighted(
  m: Model,
  x: Tensor,
  y: Tensor,
  sw: number[],
): { loss: number; accuracy: number } {
  const p = m.predict(x) as Tensor;
  const l = new BinaryCrossentropy().call(y, p).data;
  let loss = 0;
  let hits = 0;
  for (let i = 0; i < sw.length; i++) {
    loss += sw[i]! * l[i]!;
    hits += sw[i]! * Number(p.data[i]! > 0.5 === (y.data[i] === 1));
  }
  return { loss: loss / sw.length, accuracy: hits / sw.reduce((a, b) => a + b, 0) };
}

const close = (a: number, b: number, what: string) =>
  assert.ok(Math.abs(a - b) <= 1e-5 * (1 + Math.abs(b)), `${what}: ${a} vs ${b}`);

describe('sample weights over several batches', () => {
  it('evaluate with sampleWeight and a remainder batch: weighted loss and metric', async () => {
    const m = model();
    const expected = weighted(m, X, Y, SW);
    const [loss, accuracy] = (await m.evaluate(X, Y, {
      batchSize: 4,
      sampleWeight: SW,
      verbose: 0,
    })) as number[];
    close(loss!, expected.loss, 'loss');
    close(accuracy!, expected.accuracy, 'accuracy');
    const [plain] = (await m.evaluate(X, Y, { batchSize: 4, verbose: 0 })) as number[];
    assert.ok(Math.abs(plain! - expected.loss) > 1e-3, 'the weights change the loss');
  });

  it('fit with sampleWeight: the epoch loss is the weighted mean, the update scales with it', async () => {
    const frozen = model();
    const expected = weighted(frozen, X, Y, SW);
    const h = await frozen.fit(X, Y, { epochs: 1, batchSize: 4, sampleWeight: SW, verbose: 0 });
    close(h.history['loss']![0]!, expected.loss, 'loss');
    close(h.history['accuracy']![0]!, expected.accuracy, 'accuracy');
    // Doubling every weight doubles every gradient: the same steps as twice the learning rate.
    const doubled = model(0.1);
    await doubled.fit(X, Y, {
      epochs: 2,
      batchSize: 4,
      sampleWeight: SW.map((w) => 2 * w),
      shuffle: false,
      verbose: 0,
    });
    const faster = model(0.2);
    await faster.fit(X, Y, {
      epochs: 2,
      batchSize: 4,
      sampleWeight: SW,
      shuffle: false,
      verbose: 0,
    });
    const a = doubled.getWeights();
    const b = faster.getWeights();
    for (const [i, w] of a.entries()) {
      for (const [j, v] of w.data.entries()) close(v, b[i]!.data[j]!, `weight ${i}[${j}]`);
    }
    const unweighted = model(0.2);
    await unweighted.fit(X, Y, { epochs: 2, batchSize: 4, shuffle: false, verbose: 0 });
    assert.ok(
      unweighted
        .getWeights()
        .some((w, i) => w.data.some((v, j) => Math.abs(v - b[i]!.data[j]!) > 1e-4)),
      'the sample weights change training',
    );
  });

  it("validationData's third element weights the validation loss and metrics", async () => {
    const m = model();
    const xv = randomUniform([7, 2], -1, 1, { rng: new Rng(6) });
    const yv = tensor([1, 0, 1, 1, 0, 0, 1], [7, 1]);
    const swv = [0.5, 2, 1, 0, 3, 1, 1];
    const expected = weighted(m, xv, yv, swv);
    const h = await m.fit(X, Y, {
      epochs: 1,
      batchSize: 4,
      validationData: [xv, yv, swv],
      verbose: 0,
    });
    close(h.history['val_loss']![0]!, expected.loss, 'val_loss');
    close(h.history['val_accuracy']![0]!, expected.accuracy, 'val_accuracy');
    const plain = await m.fit(X, Y, {
      epochs: 1,
      batchSize: 4,
      validationData: [xv, yv],
      verbose: 0,
    });
    assert.ok(Math.abs(plain.history['val_loss']![0]! - expected.loss) > 1e-3);
  });
});

describe('callback order', () => {
  it('the progress bar reports first, user callbacks next, History records what they logged', async () => {
    const m = model();
    const events: string[] = [];
    class User extends Callback {
      override onEpochEnd(epoch: number, logs: Logs): void {
        // History runs after the user's callbacks: this epoch is not recorded yet.
        events.push(`user ${epoch} (history has ${m.history!.epoch.length})`);
        logs['extra'] = 10 * epoch;
      }
    }
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array) => {
      // The epoch's summary line (the test runner writes to stdout too).
      if (/ - loss: \d/.test(String(chunk))) events.push('progress bar');
      return true;
    }) as typeof process.stdout.write;
    let h: Awaited<ReturnType<Model['fit']>>;
    try {
      h = await m.fit(X, Y, { epochs: 2, batchSize: 4, verbose: 2, callbacks: [new User()] });
    } finally {
      process.stdout.write = write;
    }
    assert.deepEqual(events, [
      'progress bar',
      'user 0 (history has 0)',
      'progress bar',
      'user 1 (history has 1)',
    ]);
    assert.deepEqual(h.history['extra'], [0, 10]);
  });
});

describe('EarlyStopping, ReduceLROnPlateau and CSVLogger in a fit with a schedule', () => {
  it('reduce the scheduled rate to a constant, stop, and log every epoch run', async () => {
    setSeed(8);
    const m = new Sequential([new Dense(1, { inputShape: [2] })]);
    const schedule = new ExponentialDecay({
      initialLearningRate: 0.1,
      decaySteps: 1,
      decayRate: 0.9,
    });
    m.compile({ optimizer: new SGD({ learningRate: schedule }), loss: 'mse' });
    const csv = join(dir, 'log.csv');
    // minDelta 10: no epoch counts as an improvement after the first.
    const early = new EarlyStopping({ monitor: 'loss', patience: 3, minDelta: 10 });
    const plateau = new ReduceLROnPlateau({
      monitor: 'loss',
      patience: 2,
      factor: 0.5,
      minDelta: 10,
    });
    const h = await m.fit(X, Y, {
      epochs: 20,
      batchSize: 4,
      verbose: 0,
      callbacks: [early, plateau, new CSVLogger(csv)],
    });
    assert.equal(early.stoppedEpoch, 3);
    assert.deepEqual(h.epoch, [0, 1, 2, 3]);
    const rows = readFileSync(csv, 'utf8').trim().split('\n');
    const header = rows[0]!.split(',');
    // Keras's header: without validation logs it adds their columns (filled with NA).
    assert.deepEqual(header, ['epoch', 'learning_rate', 'loss', 'val_learning_rate', 'val_loss']);
    assert.ok(rows.slice(1).every((r) => r.endsWith(',NA,NA')));
    const rates = rows.slice(1).map((r) => Number(r.split(',')[1]));
    assert.equal(rates.length, 4, 'one row per epoch run');
    // The rate logged at an epoch end is the one before that end's reduction (as Keras): epochs
    // 0-2 follow the schedule (3 steps an epoch); at the end of epoch 2 it is halved into a
    // constant, which epoch 3 trains with.
    close(rates[0]!, schedule.at(3), 'epoch 0');
    close(rates[1]!, schedule.at(6), 'epoch 1');
    close(rates[2]!, schedule.at(9), 'epoch 2');
    close(rates[3]!, schedule.at(9) * 0.5, 'epoch 3');
    assert.deepEqual(
      rates,
      h.history['learning_rate']!.map((r) => Number(String(r))),
    );
  });
});
