import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CosineDecay } from '../../../src/nn/schedules/cosine-decay.js';
import { ExponentialDecay } from '../../../src/nn/schedules/exponential-decay.js';
import { PiecewiseConstantDecay } from '../../../src/nn/schedules/piecewise-constant-decay.js';

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs expected ${b}`);

describe('ExponentialDecay', () => {
  it('decays continuously: lr0 · rate^(step / decaySteps)', () => {
    const s = new ExponentialDecay({ initialLearningRate: 0.1, decaySteps: 100, decayRate: 0.5 });
    close(s.at(0), 0.1);
    close(s.at(50), 0.1 * Math.SQRT1_2);
    close(s.at(100), 0.05);
    close(s.at(250), 0.1 * 0.5 ** 2.5);
  });

  it('decays in steps with staircase', () => {
    const s = new ExponentialDecay({
      initialLearningRate: 1,
      decaySteps: 10,
      decayRate: 0.1,
      staircase: true,
    });
    close(s.at(9), 1);
    close(s.at(10), 0.1);
    close(s.at(29), 0.01);
    assert.deepEqual(s.getConfig(), {
      initialLearningRate: 1,
      decaySteps: 10,
      decayRate: 0.1,
      staircase: true,
    });
  });

  it('rejects decaySteps <= 0', () => {
    assert.throws(
      () => new ExponentialDecay({ initialLearningRate: 1, decaySteps: 0, decayRate: 0.5 }),
      /ExponentialDecay: decaySteps must be > 0, got 0/,
    );
  });
});

describe('CosineDecay', () => {
  it('follows half a cosine to alpha · lr0 and stays there', () => {
    const s = new CosineDecay({ initialLearningRate: 2, decaySteps: 100, alpha: 0.1 });
    close(s.at(0), 2);
    close(s.at(50), 2 * (0.9 * 0.5 + 0.1));
    close(s.at(25), 2 * (0.9 * 0.5 * (1 + Math.cos(Math.PI / 4)) + 0.1));
    close(s.at(100), 0.2);
    close(s.at(1000), 0.2);
  });

  it('warms up linearly to warmupTarget, then decays from it (Keras 3)', () => {
    const s = new CosineDecay({
      initialLearningRate: 0,
      decaySteps: 100,
      warmupTarget: 1,
      warmupSteps: 10,
    });
    close(s.at(0), 0);
    close(s.at(5), 0.5);
    close(s.at(10), 1);
    close(s.at(60), 0.5);
    close(s.at(110), 0);
    close(s.at(500), 0);
    const fromNonZero = new CosineDecay({
      initialLearningRate: 0.1,
      decaySteps: 10,
      warmupTarget: 0.5,
      warmupSteps: 4,
    });
    close(fromNonZero.at(1), 0.1 + 0.4 * 0.25);
  });

  it('ignores warmupSteps without a warmupTarget (as Keras does)', () => {
    const s = new CosineDecay({ initialLearningRate: 1, decaySteps: 10, warmupSteps: 5 });
    close(s.at(5), 0.5);
  });

  it('rejects decaySteps <= 0', () => {
    assert.throws(
      () => new CosineDecay({ initialLearningRate: 1, decaySteps: -1 }),
      /CosineDecay: decaySteps must be > 0, got -1/,
    );
  });
});

describe('PiecewiseConstantDecay', () => {
  it('steps after each boundary (boundary inclusive on the left piece)', () => {
    const s = new PiecewiseConstantDecay([100, 200], [1, 0.5, 0.1]);
    assert.equal(s.at(0), 1);
    assert.equal(s.at(100), 1);
    assert.equal(s.at(101), 0.5);
    assert.equal(s.at(200), 0.5);
    assert.equal(s.at(201), 0.1);
    assert.deepEqual(s.getConfig(), { boundaries: [100, 200], values: [1, 0.5, 0.1] });
  });

  it('rejects mismatched lengths and unsorted boundaries', () => {
    assert.throws(
      () => new PiecewiseConstantDecay([1, 2], [1, 2]),
      /values must have one more element than boundaries; got 2 values and 2 boundaries/,
    );
    assert.throws(
      () => new PiecewiseConstantDecay([2, 1], [1, 2, 3]),
      /boundaries must be increasing, got \[2, 1\]/,
    );
  });
});
