import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CosineDecayRestarts,
  deserializeSchedule,
  InverseTimeDecay,
  type LearningRateSchedule,
  PolynomialDecay,
  serializeSchedule,
} from '../../../src/nn/schedules/index.js';

const close = (a: number, b: number, tol = 1e-12) =>
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs expected ${b}`);

function roundTrips(s: LearningRateSchedule): void {
  const back = deserializeSchedule(JSON.parse(JSON.stringify(serializeSchedule(s))));
  assert.ok(back, 'rebuilt');
  assert.equal(back.constructor, s.constructor);
  assert.deepEqual(back.getConfig(), s.getConfig());
  for (const step of [0, 1, 7, 10, 25, 100, 1000]) assert.equal(back.at(step), s.at(step));
}

describe('PolynomialDecay', () => {
  it('decays linearly by default to endLearningRate 1e-4 and stays there', () => {
    const s = new PolynomialDecay({ initialLearningRate: 0.1, decaySteps: 10 });
    close(s.at(0), 0.1);
    close(s.at(5), 0.0001 + (0.1 - 0.0001) * 0.5);
    close(s.at(10), 0.0001);
    close(s.at(50), 0.0001);
    roundTrips(s);
  });

  it('follows (1 - s/d)^power', () => {
    const s = new PolynomialDecay({
      initialLearningRate: 1,
      decaySteps: 100,
      endLearningRate: 0.2,
      power: 0.5,
    });
    close(s.at(75), 0.2 + 0.8 * Math.sqrt(0.25));
    close(s.at(19), 0.2 + 0.8 * Math.sqrt(0.81));
  });

  it('cycles over the next multiple of decaySteps', () => {
    const s = new PolynomialDecay({
      initialLearningRate: 1,
      decaySteps: 10,
      endLearningRate: 0,
      power: 2,
      cycle: true,
    });
    close(s.at(0), 1);
    close(s.at(10), 0); // ceil(10/10) = 1: the end of the first cycle
    close(s.at(15), (1 - 15 / 20) ** 2); // d = 20
    close(s.at(21), (1 - 21 / 30) ** 2); // d = 30
    roundTrips(s);
  });

  it('rejects decaySteps <= 0', () => {
    assert.throws(
      () => new PolynomialDecay({ initialLearningRate: 1, decaySteps: 0 }),
      /PolynomialDecay: decaySteps must be > 0, got 0/,
    );
  });
});

describe('InverseTimeDecay', () => {
  it('is initial / (1 + rate · step / decaySteps)', () => {
    const s = new InverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 4, decayRate: 0.5 });
    close(s.at(0), 0.1);
    close(s.at(2), 0.1 / 1.25);
    close(s.at(8), 0.1 / 2);
    roundTrips(s);
  });

  it('floors step / decaySteps with staircase', () => {
    const s = new InverseTimeDecay({
      initialLearningRate: 1,
      decaySteps: 4,
      decayRate: 1,
      staircase: true,
    });
    assert.deepEqual(
      [0, 3, 4, 7, 8].map((t) => s.at(t)),
      [1, 1, 0.5, 0.5, 1 / 3],
    );
    roundTrips(s);
    assert.throws(
      () => new InverseTimeDecay({ initialLearningRate: 1, decaySteps: -1, decayRate: 1 }),
      /InverseTimeDecay: decaySteps must be > 0, got -1/,
    );
  });
});

describe('CosineDecayRestarts', () => {
  const cos = (c: number) => 0.5 * (1 + Math.cos(Math.PI * c));

  it("restarts after periods of 10, 20, 40 steps (Keras's default tMul 2)", () => {
    const s = new CosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 10 });
    close(s.at(0), 0.1);
    close(s.at(5), 0.1 * cos(0.5));
    close(s.at(9), 0.1 * cos(0.9));
    close(s.at(10), 0.1); // restart 1 begins at 10
    close(s.at(15), 0.1 * cos(0.25));
    close(s.at(30), 0.1); // restart 2 at 10 + 20
    close(s.at(60), 0.1 * cos(0.75));
    roundTrips(s);
  });

  it('lands exactly on every restart boundary over many periods', () => {
    const s = new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 3, tMul: 3 });
    let start = 0;
    let length = 3;
    for (let i = 0; i < 12; i++) {
      close(s.at(start), 1, 1e-9);
      close(s.at(start + length / 2), cos(0.5), 1e-9);
      start += length;
      length *= 3;
    }
  });

  it('scales each restart by mMul^i, floors at alpha, and handles tMul = 1', () => {
    const s = new CosineDecayRestarts({
      initialLearningRate: 2,
      firstDecaySteps: 10,
      tMul: 1,
      mMul: 0.5,
      alpha: 0.1,
    });
    close(s.at(0), 2);
    close(s.at(10), 2 * (0.9 * 0.5 + 0.1));
    close(s.at(24), 2 * (0.9 * 0.25 * cos(0.4) + 0.1));
    roundTrips(s);
    const shrinking = new CosineDecayRestarts({
      initialLearningRate: 1,
      firstDecaySteps: 10,
      tMul: 0.5,
      alpha: 0.2,
    });
    close(shrinking.at(10), 1); // second period: 5 steps
    close(shrinking.at(12.5), 0.8 * cos(0.5) + 0.2);
    close(shrinking.at(25), 0.2); // past 10 / (1 - 0.5) = 20 steps: the floor
  });

  it('rejects a bad firstDecaySteps or tMul', () => {
    assert.throws(
      () => new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 0 }),
      /CosineDecayRestarts: firstDecaySteps must be > 0, got 0/,
    );
    assert.throws(
      () => new CosineDecayRestarts({ initialLearningRate: 1, firstDecaySteps: 5, tMul: 0 }),
      /CosineDecayRestarts: tMul must be > 0, got 0/,
    );
  });
});
