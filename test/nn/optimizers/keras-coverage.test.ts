import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  Adadelta,
  Adafactor,
  Adagrad,
  Adamax,
  Ftrl,
  getOptimizer,
  Lion,
  Nadam,
  type Optimizer,
  type OptimizerName,
} from '../../../src/nn/optimizers/index.js';
import { ExponentialDecay } from '../../../src/nn/schedules/exponential-decay.js';
import { tensor } from '../../../src/tensor/create.js';
import { Variable } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';
import { gradSequence, runSteps } from './helpers.js';

type Ctor = new (args?: Record<string, unknown>) => Optimizer;
const NEW: [OptimizerName, Ctor, Record<string, unknown>][] = [
  ['nadam', Nadam as Ctor, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }],
  [
    'adagrad',
    Adagrad as Ctor,
    { learningRate: 0.001, initialAccumulatorValue: 0.1, epsilon: 1e-7 },
  ],
  ['adadelta', Adadelta as Ctor, { learningRate: 0.001, rho: 0.95, epsilon: 1e-7 }],
  ['adamax', Adamax as Ctor, { learningRate: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }],
  ['lion', Lion as Ctor, { learningRate: 0.001, beta1: 0.9, beta2: 0.99 }],
  [
    'adafactor',
    Adafactor as Ctor,
    {
      learningRate: 0.001,
      beta2Decay: -0.8,
      epsilon1: 1e-30,
      epsilon2: 1e-3,
      clipThreshold: 1,
      relativeStep: true,
    },
  ],
  [
    'ftrl',
    Ftrl as Ctor,
    {
      learningRate: 0.001,
      learningRatePower: -0.5,
      initialAccumulatorValue: 0.1,
      l1RegularizationStrength: 0,
      l2RegularizationStrength: 0,
      l2ShrinkageRegularizationStrength: 0,
      beta: 0,
    },
  ],
];

describe("issue 20's optimizers: names, defaults, configs, common arguments", () => {
  for (const [name, cls, defaults] of NEW) {
    it(`${name}: Keras's name and defaults, and a config that rebuilds it`, () => {
      const opt = getOptimizer(name);
      assert.ok(opt instanceof cls);
      assert.equal(getOptimizer(cls.name as OptimizerName).constructor, cls);
      const config = opt.getConfig();
      for (const [k, v] of Object.entries(defaults)) assert.equal(config[k], v, `${name}.${k}`);
      assert.equal(config['name'], cls.name);
      const changed = new cls({ ...config, learningRate: 0.02, clipnorm: 2, weightDecay: 0.1 });
      const again = new cls(changed.getConfig()).getConfig();
      assert.deepEqual(again, changed.getConfig());
      assert.equal(again['learningRate'], 0.02);
    });
  }

  it('names the known optimizers when a name is unknown', () => {
    assert.throws(
      () => getOptimizer('nadamm' as OptimizerName),
      /Unknown optimizer 'nadamm'\. Known: adadelta, adafactor, adagrad, adam, adamax, adamw, ftrl, lion, nadam, rmsprop, sgd/,
    );
  });

  it('rejects bad arguments, naming the optimizer and the argument', () => {
    assert.throws(() => new Nadam({ beta1: 1 }), /Nadam: beta1 must be in \[0, 1\), got 1/);
    assert.throws(() => new Adamax({ beta2: -0.1 }), /Adamax: beta2 must be in \[0, 1\)/);
    assert.throws(() => new Lion({ beta1: 0 }), /Lion: beta1 must be in \(0, 1\], got 0/);
    assert.throws(
      () => new Adagrad({ initialAccumulatorValue: -1 }),
      /Adagrad: initialAccumulatorValue must be >= 0, got -1/,
    );
    assert.throws(() => new Adadelta({ rho: 2 }), /Adadelta: rho must be in \[0, 1\], got 2/);
    assert.throws(
      () => new Adafactor({ clipThreshold: 0 }),
      /Adafactor: clipThreshold must be > 0/,
    );
    assert.throws(
      () => new Ftrl({ learningRatePower: 0.5 }),
      /Ftrl: learningRatePower must be <= 0, got 0.5/,
    );
    assert.throws(
      () => new Ftrl({ l1RegularizationStrength: -1 }),
      /Ftrl: l1RegularizationStrength must be >= 0, got -1/,
    );
    assert.throws(
      () => new Lion({ clipnorm: 1, clipvalue: 1 }),
      /Lion: only one of clipnorm, clipvalue and globalClipnorm can be set/,
    );
  });

  it('start Adagrad and Ftrl accumulators at initialAccumulatorValue', () => {
    for (const opt of [
      new Adagrad({ initialAccumulatorValue: 0.25 }),
      new Ftrl({ initialAccumulatorValue: 0.25 }),
    ]) {
      const w = runSteps(opt, [1, 2], [[0, 0]]);
      expectClose(opt.getSlot(w, 'accumulator')!, [0.25, 0.25]);
    }
  });

  it('Lion moves every weight with a gradient by exactly lr, whatever its size', () => {
    const w = runSteps(new Lion({ learningRate: 0.1 }), [1, 1, 1, 1], [[1e-8, -1e6, 3, 0]]);
    expectClose(w, [0.9, 1.1, 0.9, 1], { atol: 1e-7 });
  });

  for (const [name, cls] of NEW) {
    it(`${name}: gradient accumulation over 3 calls equals one step on their mean`, () => {
      // Adadelta's first steps are about sqrt(epsilon) · lr: lr 1 makes them visible.
      const learningRate = name === 'adadelta' ? 1 : 0.05;
      const grads = gradSequence(3, 4);
      const mean = grads[0]!.map((_, i) => (grads[0]![i]! + grads[1]![i]! + grads[2]![i]!) / 3);
      const accumulated = runSteps(
        new cls({ learningRate, gradientAccumulationSteps: 3 }),
        [1, -2, 0.5, 3],
        grads,
      );
      const once = runSteps(new cls({ learningRate }), [1, -2, 0.5, 3], [mean]);
      expectClose(accumulated, once, { atol: 1e-6 });
      assert.ok(Math.abs(accumulated.data[1]! + 2) > 1e-4, 'it moved');
    });

    it(`${name}: clipnorm equals a step on the pre-clipped gradient; a schedule sets the rate`, () => {
      const g = [3, -4, 0, 12];
      const clipped = runSteps(new cls({ learningRate: 0.05, clipnorm: 1.3 }), [1, 1, 1, 1], [g]);
      const pre = runSteps(new cls({ learningRate: 0.05 }), [1, 1, 1, 1], [g.map((x) => x / 10)]);
      expectClose(clipped, pre, { atol: 1e-6 });
      const schedule = new ExponentialDecay({
        initialLearningRate: 0.05,
        decaySteps: 1,
        decayRate: 0.5,
      });
      const grads = gradSequence(3, 4);
      const a = new cls({ learningRate: schedule });
      const wa = runSteps(a, [1, 1, 1, 1], grads);
      assert.equal(a.learningRate, 0.05 * 0.5 ** 3);
      assert.equal(a.getConfig()['learningRate'] instanceof Object, true);
      const fixed = runSteps(new cls({ learningRate: 0.05 }), [1, 1, 1, 1], grads);
      assert.ok(
        wa.data.some((x, i) => Math.abs(x - fixed.data[i]!) > 1e-6),
        'the schedule changed the steps',
      );
    });
  }

  it('applies decoupled weight decay before the rule (w -= lr · wd · w), sparing excluded ones', () => {
    const opt = new Adamax({ learningRate: 0.1, weightDecay: 0.5 });
    const a = new Variable(tensor([2]), { name: 'kernel' });
    const b = new Variable(tensor([2]), { name: 'bias' });
    opt.excludeFromWeightDecay({ varNames: ['bias'] });
    opt.applyGradients([
      [tensor([0]), a],
      [tensor([0]), b],
    ]);
    expectClose(a, [2 - 0.1 * 0.5 * 2]);
    expectClose(b, [2]);
  });
});
