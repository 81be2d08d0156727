import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { Adam } from '../../../src/nn/optimizers/adam.js';
import { AdamW } from '../../../src/nn/optimizers/adamw.js';
import { getOptimizer, type OptimizerName } from '../../../src/nn/optimizers/get-optimizer.js';
import type { Optimizer } from '../../../src/nn/optimizers/optimizer.js';
import { RMSprop } from '../../../src/nn/optimizers/rmsprop.js';
import { SGD } from '../../../src/nn/optimizers/sgd.js';
import { ExponentialDecay } from '../../../src/nn/schedules/exponential-decay.js';
import { PiecewiseConstantDecay } from '../../../src/nn/schedules/piecewise-constant-decay.js';
import { add } from '../../../src/ops/add.js';
import { mul } from '../../../src/ops/mul.js';
import { sum } from '../../../src/ops/sum.js';
import { tensor } from '../../../src/tensor/create.js';
import { Variable } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';

describe('gradient clipping', () => {
  it('clipnorm rescales each gradient above the norm to it, leaves smaller ones', () => {
    const opt = new SGD({ learningRate: 1, clipnorm: 1 });
    const a = new Variable(tensor([0, 0]));
    const b = new Variable(tensor([0, 0]));
    const ga = tensor([3, 4]);
    opt.applyGradients([
      [ga, a],
      [tensor([0.3, 0.4]), b],
    ]);
    expectClose(a, [-0.6, -0.8]);
    expectClose(b, [-0.3, -0.4]);
    expectClose(ga, [3, 4]); // the caller's gradient is not modified
  });

  it('globalClipnorm rescales all gradients together', () => {
    const opt = new SGD({ learningRate: 1, globalClipnorm: 1.3 });
    const a = new Variable(tensor([0, 0]));
    const b = new Variable(tensor([0]));
    // Global norm sqrt(9 + 16 + 144) = 13, so every gradient is scaled by 0.1.
    opt.applyGradients([
      [tensor([3, 4]), a],
      [tensor([12]), b],
    ]);
    expectClose(a, [-0.3, -0.4]);
    expectClose(b, [-1.2]);
    const small = new SGD({ learningRate: 1, globalClipnorm: 100 });
    small.applyGradients([[tensor([3, 4]), a]]);
    expectClose(a, [-3.3, -4.4]);
  });

  it('Adam applies globalClipnorm in its update (same as on pre-scaled gradients)', () => {
    const ga = tensor([3, 4]);
    const gb = tensor([12]);
    const clipped = new Adam({ learningRate: 0.1, globalClipnorm: 1.3 });
    const plain = new Adam({ learningRate: 0.1 });
    const [a, b, a2, b2] = [[1, 2], [3], [1, 2], [3]].map((v) => new Variable(tensor(v)));
    for (let step = 0; step < 2; step++) {
      clipped.applyGradients([
        [ga, a!],
        [gb, b!],
      ]);
      // Global norm 13: every gradient scaled by 0.1.
      plain.applyGradients([
        [tensor([0.3, 0.4]), a2!],
        [tensor([1.2]), b2!],
      ]);
    }
    expectClose(a!, a2!, { atol: 1e-6 });
    expectClose(b!, b2!, { atol: 1e-6 });
    expectClose(clipped.getSlot(a!, 'momentum')!, plain.getSlot(a2!, 'momentum')!, {
      atol: 1e-7,
    });
    expectClose(ga, [3, 4]); // the caller's gradients are not modified
  });

  it('clipvalue clips each element', () => {
    const opt = new SGD({ learningRate: 1, clipvalue: 0.5 });
    const a = new Variable(tensor([0, 0, 0, 0]));
    const g = tensor([2, -3, 0.25, -0.5]);
    opt.applyGradients([[g, a]]);
    expectClose(a, [-0.5, 0.5, -0.25, 0.5]);
    expectClose(g, [2, -3, 0.25, -0.5]);
  });

  it('clips before the update rule (Adam sees the clipped gradient)', () => {
    const clipped = new Adam({ learningRate: 0.1, clipvalue: 1e-3 });
    const w = new Variable(tensor([0]));
    clipped.applyGradients([[tensor([5]), w]]);
    expectClose(clipped.getSlot(w, 'momentum')!, [1e-4]);
  });

  it('allows only one clipping argument and positive values', () => {
    assert.throws(
      () => new SGD({ clipnorm: 1, clipvalue: 1 }),
      /SGD: only one of clipnorm, clipvalue and globalClipnorm can be set; got clipnorm=1, clipvalue=1/,
    );
    assert.throws(() => new Adam({ clipnorm: 0 }), /Adam: clipnorm must be > 0, got 0/);
  });
});

describe('Optimizer', () => {
  it('evaluates a schedule at iterations and counts steps', () => {
    const schedule = new ExponentialDecay({
      initialLearningRate: 1,
      decaySteps: 1,
      decayRate: 0.5,
    });
    const opt = new SGD({ learningRate: schedule });
    const w = new Variable(tensor([0]));
    assert.equal(opt.learningRate, 1);
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [-1]);
    assert.equal(opt.iterations, 1);
    assert.equal(opt.learningRate, 0.5);
    opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [-1.5]);
    assert.equal(opt.learningRate, 0.25);
  });

  it('uses a piecewise schedule per step', () => {
    const opt = new SGD({ learningRate: new PiecewiseConstantDecay([1], [1, 0.1]) });
    const w = new Variable(tensor([0]));
    for (let i = 0; i < 4; i++) opt.applyGradients([[tensor([1]), w]]);
    expectClose(w, [-2.2], { atol: 1e-6 }); // steps 0, 1 at 1; steps 2, 3 at 0.1
  });

  it('setting learningRate replaces the schedule', () => {
    const opt = new Adam({
      learningRate: new ExponentialDecay({ initialLearningRate: 1, decaySteps: 1, decayRate: 0.5 }),
    });
    opt.learningRate = 0.3;
    opt.iterations = 10;
    assert.equal(opt.learningRate, 0.3);
    assert.throws(() => {
      opt.learningRate = -1;
    }, /learningRate must be >= 0, got -1/);
    assert.equal(opt.getConfig()['learningRate'], 0.3);
  });

  it('skips null gradients, rejects all-null and mismatched shapes', () => {
    const opt = new SGD({ learningRate: 1 });
    const a = new Variable(tensor([1]), { name: 'a' });
    const b = new Variable(tensor([1, 2]), { name: 'b' });
    opt.applyGradients([
      [null, a],
      [tensor([1, 1]), b],
    ]);
    expectClose(a, [1]);
    expectClose(b, [0, 1]);
    assert.throws(
      () => opt.applyGradients([[null, a]]),
      /SGD: no gradients provided for any variable \('a'\)/,
    );
    assert.throws(
      () => opt.applyGradients([[tensor([1, 2, 3]), b]]),
      /SGD: gradient shape \[3\] does not match variable 'b' shape \[2\]/,
    );
    assert.throws(
      () => opt.applyGradients([[tensor([1, 2], undefined, 'int32'), b]]),
      /SGD: can only update float32 variables with float32 gradients/,
    );
  });

  for (const make of [
    () => new SGD({ learningRate: 0.1 }),
    () => new SGD({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
    () => new Adam({ learningRate: 0.1 }),
    () => new Adam({ learningRate: 0.1, amsgrad: true }),
    () => new AdamW({ learningRate: 0.1 }),
    () => new RMSprop({ learningRate: 0.05 }),
    () => new RMSprop({ learningRate: 0.02, momentum: 0.5, centered: true }),
  ] satisfies (() => Optimizer)[]) {
    const opt = make();
    it(`${opt.name} ${JSON.stringify(opt.getConfig())} minimises a quadratic`, () => {
      // f(w) = sum(scale · (w - target)²), an ill-conditioned bowl with its minimum at target.
      const target = [1, -2, 0.5];
      const scale = tensor([1, 3, 0.5]);
      const minusTarget = tensor(target.map((t) => -t));
      const w = new Variable(tensor([0, 0, 0]), { name: 'w' });
      const loss = () => {
        const d = add(w, minusTarget);
        return sum(mul(mul(d, d), scale));
      };
      const first = loss().item();
      for (let i = 0; i < 300; i++) {
        const [g] = grad(loss(), [w]);
        opt.applyGradients([[g!, w]]);
      }
      assert.ok(loss().item() < 1e-3 * first, `loss ${loss().item()} from ${first}`);
      expectClose(w, target, { atol: 0.05 });
    });
  }
});

describe('getOptimizer', () => {
  it('builds optimizers by name, case-insensitively, with Keras defaults', () => {
    assert.ok(getOptimizer('adam') instanceof Adam);
    assert.ok(getOptimizer('Adam') instanceof Adam);
    assert.ok(getOptimizer('ADAMW' as OptimizerName) instanceof AdamW);
    assert.ok(getOptimizer('rmsprop') instanceof RMSprop);
    assert.ok(getOptimizer('RMSprop') instanceof RMSprop);
    assert.equal(getOptimizer('sgd').learningRate, 0.01);
    assert.notEqual(getOptimizer('sgd'), getOptimizer('sgd'));
  });

  it('passes an optimizer through', () => {
    const opt = new SGD();
    assert.equal(getOptimizer(opt), opt);
  });

  it('rejects unknown names, listing the known ones', () => {
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => getOptimizer('adamm'),
      (e: Error) =>
        e.message ===
        "Unknown optimizer 'adamm'. Known: adadelta, adafactor, adagrad, adam, adamax, adamw, ftrl, lion, nadam, rmsprop, sgd",
    );
    // @ts-expect-error: not an optimizer name
    assert.throws(() => getOptimizer('constructor'), /Unknown optimizer 'constructor'/);
  });
});
