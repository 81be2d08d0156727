import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { optimizerFromRecord, restoreOptimizer } from '../../src/io/keel-format/optimizer-state.js';
import { Sequential } from '../../src/models/sequential.js';
import * as L from '../../src/nn/layers/index.js';
import { AdamW } from '../../src/nn/optimizers/adamw.js';
import {
  Adadelta,
  Adafactor,
  Adagrad,
  Adamax,
  Ftrl,
  Lion,
  Nadam,
} from '../../src/nn/optimizers/index.js';
import type { Optimizer } from '../../src/nn/optimizers/optimizer.js';
import { RMSprop } from '../../src/nn/optimizers/rmsprop.js';
import { SGD } from '../../src/nn/optimizers/sgd.js';
import {
  CosineDecay,
  CosineDecayRestarts,
  ExponentialDecay,
  InverseTimeDecay,
  PiecewiseConstantDecay,
  PolynomialDecay,
} from '../../src/nn/schedules/index.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import '../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-schedule-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const bits = (ws: { data: ArrayLike<number> }[]) => ws.map((w) => Array.from(w.data));

/** Trains `steps` batches, saves with the optimizer, then trains `more` on both: the same bits. */
function resumes(optimizer: () => Optimizer, name: string, steps = 2, more = 3): void {
  setSeed(3);
  const model = new Sequential([
    new L.Dense(4, { activation: 'tanh', inputShape: [3] }),
    new L.Dense(2),
  ]);
  model.compile({ optimizer: optimizer(), loss: 'mse' });
  const x = randomUniform([8, 3]);
  const y = randomUniform([8, 2]);
  for (let i = 0; i < steps; i++) model.trainOnBatch(x, y);
  const path = join(dir, `${name}.keel`);
  model.save(path, { includeOptimizer: true });
  const loaded = loadModel(path);
  assert.equal(loaded.optimizer?.learningRate, model.optimizer?.learningRate, `${name}: rate`);
  for (let i = 0; i < more; i++) {
    model.trainOnBatch(x, y);
    loaded.trainOnBatch(x, y);
    assert.equal(loaded.optimizer?.learningRate, model.optimizer?.learningRate, `${name}: rate`);
  }
  assert.deepEqual(bits(loaded.getWeights()), bits(model.getWeights()), name);
}

describe('learning-rate schedules in saved optimizers', () => {
  it('resume where they were: AdamW with ExponentialDecay(0.1, 1, 0.5) (was frozen at 0.025)', () => {
    resumes(
      () =>
        new AdamW({
          learningRate: new ExponentialDecay({
            initialLearningRate: 0.1,
            decaySteps: 1,
            decayRate: 0.5,
          }),
        }),
      'exponential',
    );
  });

  it('resume warm-up + cosine decay and piecewise constant decay', () => {
    const cosine = () =>
      new CosineDecay({
        initialLearningRate: 0,
        warmupTarget: 1e-2,
        warmupSteps: 3,
        decaySteps: 10,
        alpha: 0.1,
      });
    resumes(() => new AdamW({ learningRate: cosine(), weightDecay: 0.1 }), 'cosine');
    resumes(
      () => new SGD({ learningRate: new PiecewiseConstantDecay([2, 4], [0.1, 0.05, 0.01]) }),
      'piecewise',
      3,
      4,
    );
  });

  it('fall back to the saved rate for a schedule Keel cannot rebuild, and name a bad one', () => {
    const record = {
      className: 'SGD',
      config: { learningRate: { className: 'MySchedule', config: {} } },
      iterations: 7,
      learningRate: 0.125,
      slots: [],
    };
    assert.equal(optimizerFromRecord(record, 'f.keel').learningRate, 0.125);
    // Files from before schedules were saved: the config alone, without its class.
    const old = { ...record, config: { learningRate: { initialLearningRate: 1 } } };
    assert.equal(optimizerFromRecord(old, 'f.keel').learningRate, 0.125);
    const bad = {
      ...record,
      config: { learningRate: { className: 'ExponentialDecay', config: { decaySteps: 0 } } },
    };
    assert.throws(
      () => optimizerFromRecord(bad, 'f.keel'),
      /f\.keel: cannot rebuild the learning-rate schedule: ExponentialDecay: decaySteps must be > 0/,
    );
  });
});

describe('gradient accumulation in saved optimizers', () => {
  it('resumes in the middle of a cycle (the accumulated gradients were dropped)', () => {
    for (const steps of [1, 2, 3, 5]) {
      resumes(
        () => new AdamW({ learningRate: 0.01, gradientAccumulationSteps: 4 }),
        `adamw-accumulate-${steps}`,
        steps,
        6,
      );
    }
    resumes(
      () => new SGD({ learningRate: 0.1, momentum: 0.9, gradientAccumulationSteps: 3 }),
      'sgd-accumulate',
      2,
      4,
    );
    resumes(
      () => new RMSprop({ learningRate: 0.01, centered: true, gradientAccumulationSteps: 2 }),
      'rmsprop-accumulate',
      3,
      4,
    );
  });

  it('rejects a saved position outside the cycle', () => {
    const record = {
      className: 'SGD',
      config: { learningRate: 0.1, gradientAccumulationSteps: 2 },
      iterations: 1,
      learningRate: 0.1,
      accumulationStep: 2,
      slots: [],
    };
    setSeed(1);
    const model = new Sequential([new L.Dense(1, { inputShape: [2] })]);
    const optimizer = optimizerFromRecord(record, 'f.keel');
    assert.throws(
      () => restoreOptimizer(model, optimizer, record, new Map(), 'f.keel'),
      /f\.keel: optimizer state: accumulationStep 2 is not below gradientAccumulationSteps 2/,
    );
  });
});

describe('the optimizers of issue 20 in saved models', () => {
  const exp = () =>
    new ExponentialDecay({ initialLearningRate: 0.05, decaySteps: 2, decayRate: 0.7 });
  const cases: [string, () => Optimizer][] = [
    ['nadam', () => new Nadam({ learningRate: 0.01, clipnorm: 1 })],
    ['nadam-schedule', () => new Nadam({ learningRate: exp(), weightDecay: 0.05 })],
    ['adagrad', () => new Adagrad({ learningRate: 0.05, initialAccumulatorValue: 0.3 })],
    ['adadelta', () => new Adadelta({ learningRate: 1, globalClipnorm: 1 })],
    ['adamax', () => new Adamax({ learningRate: exp(), clipvalue: 0.5 })],
    ['lion', () => new Lion({ learningRate: 0.003, weightDecay: 0.1 })],
    ['adafactor', () => new Adafactor({ learningRate: 0.1, weightDecay: 0.01 })],
    [
      'ftrl',
      () =>
        new Ftrl({
          learningRate: 0.1,
          l1RegularizationStrength: 0.01,
          l2ShrinkageRegularizationStrength: 0.01,
          beta: 0.1,
        }),
    ],
    ['lion-accumulate', () => new Lion({ learningRate: 0.01, gradientAccumulationSteps: 3 })],
    ['adafactor-accumulate', () => new Adafactor({ gradientAccumulationSteps: 2 })],
    [
      'nadam-restarts',
      () =>
        new Nadam({
          learningRate: new CosineDecayRestarts({
            initialLearningRate: 0.02,
            firstDecaySteps: 2,
            mMul: 0.5,
          }),
        }),
    ],
    [
      'adagrad-polynomial',
      () =>
        new Adagrad({
          learningRate: new PolynomialDecay({
            initialLearningRate: 0.1,
            decaySteps: 3,
            power: 2,
            cycle: true,
          }),
        }),
    ],
    [
      'ftrl-inverse-time',
      () =>
        new Ftrl({
          learningRate: new InverseTimeDecay({
            initialLearningRate: 0.1,
            decaySteps: 2,
            decayRate: 0.5,
            staircase: true,
          }),
        }),
    ],
  ];
  for (const [name, make] of cases) {
    it(`${name} continues bit-identically after save and load`, () => {
      resumes(make, name, 4, 5);
    });
  }

  it("saves Adafactor's factored moments with their own shapes, and rejects wrong ones", () => {
    setSeed(3);
    const model = new Sequential([new L.Dense(4, { inputShape: [3] })]);
    model.compile({ optimizer: new Adafactor(), loss: 'mse' });
    model.trainOnBatch(randomUniform([8, 3]), randomUniform([8, 4]));
    const opt = model.optimizer!;
    const [kernel, bias] = model.weights;
    assert.deepEqual(
      [opt.getSlot(kernel!, 'r')?.shape, opt.getSlot(kernel!, 'c')?.shape],
      [[3], [4]],
    );
    assert.deepEqual(opt.getSlot(bias!, 'velocity')?.shape, [4]);
    assert.equal(opt.getSlot(kernel!, 'velocity'), undefined);
    const record = {
      className: 'Adafactor',
      config: opt.getConfig(),
      iterations: 1,
      learningRate: 0.001,
      slots: [{ weight: 0, name: 'r', key: 'k' }],
    };
    const fresh = optimizerFromRecord(record, 'f.keel');
    assert.throws(
      () =>
        restoreOptimizer(model, fresh, record, new Map([['k', randomUniform([3, 4])]]), 'f.keel'),
      /f\.keel: optimizer slot 'k' is float32 \[3,4\], slot 'r' of weight .* must be \[3\]/,
    );
  });
});
