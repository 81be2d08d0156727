import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConstantSparsity, PolynomialDecay } from '../../src/compress/index.js';

describe('PolynomialDecay', () => {
  const args = { initialSparsity: 0.2, finalSparsity: 0.9, beginStep: 100, endStep: 1100 };

  it("follows Zhu & Gupta's s_t = s_f + (s_i − s_f)(1 − (t − t0)/(nΔt))³", () => {
    const s = new PolynomialDecay(args);
    for (const t of [100, 150, 400, 600, 1000, 1100]) {
      const expected = 0.9 + (0.2 - 0.9) * (1 - (t - 100) / 1000) ** 3;
      assert.ok(Math.abs(s.at(t).sparsity - expected) < 1e-12, `step ${t}`);
    }
    assert.ok(Math.abs(s.at(0).sparsity - 0.2) < 1e-12, 'before beginStep: the initial sparsity');
    assert.equal(s.at(5000).sparsity, 0.9, 'after endStep: the final sparsity');
  });

  it('prunes at beginStep and every frequency steps up to endStep (tfmot defaults)', () => {
    const s = new PolynomialDecay(args);
    assert.equal(s.power, 3);
    assert.equal(s.frequency, 100);
    const turns = [0, 99, 100, 101, 200, 1100, 1200].map((t) => s.at(t).shouldPrune);
    assert.deepEqual(turns, [false, false, true, false, true, true, false]);
    const p1 = new PolynomialDecay({ ...args, power: 1, frequency: 7 });
    assert.ok(Math.abs(p1.at(600).sparsity - 0.55) < 1e-12);
    assert.equal(p1.at(107).shouldPrune, true);
    assert.deepEqual(p1.getConfig(), { ...args, power: 1, frequency: 7 });
  });

  it('rejects sparsities outside [0, 1) and bad steps, naming the argument', () => {
    assert.throws(
      () => new PolynomialDecay({ ...args, finalSparsity: 1 }),
      (e: Error) =>
        e instanceof RangeError && /finalSparsity must be in \[0, 1\), got 1/.test(e.message),
    );
    assert.throws(() => new PolynomialDecay({ ...args, initialSparsity: -0.1 }), /initialSparsity/);
    assert.throws(
      () => new PolynomialDecay({ ...args, finalSparsity: Number.NaN }),
      /finalSparsity/,
    );
    assert.throws(
      () => new PolynomialDecay({ ...args, endStep: 100 }),
      /endStep must be an integer >= 101/,
    );
    assert.throws(() => new PolynomialDecay({ ...args, beginStep: -1 }), /beginStep/);
    assert.throws(() => new PolynomialDecay({ ...args, frequency: 0 }), /frequency/);
    assert.throws(() => new PolynomialDecay({ ...args, power: 0 }), /power/);
  });
});

describe('ConstantSparsity', () => {
  it('gives the target at its turns, forever by default', () => {
    const s = new ConstantSparsity({ targetSparsity: 0.8, beginStep: 10, frequency: 5 });
    assert.deepEqual(s.at(15), { shouldPrune: true, sparsity: 0.8 });
    assert.equal(s.at(16).shouldPrune, false);
    assert.equal(s.at(5).shouldPrune, false);
    assert.equal(s.at(1_000_000).shouldPrune, true);
    const ended = new ConstantSparsity({
      targetSparsity: 0.8,
      beginStep: 0,
      endStep: 10,
      frequency: 5,
    });
    assert.equal(ended.at(15).shouldPrune, false);
  });

  it('rejects a target outside [0, 1)', () => {
    assert.throws(
      () => new ConstantSparsity({ targetSparsity: 1.5, beginStep: 0 }),
      (e: Error) => e instanceof RangeError && /ConstantSparsity: targetSparsity/.test(e.message),
    );
    assert.throws(
      () => new ConstantSparsity({ targetSparsity: 0.5, beginStep: 5, endStep: 2 }),
      /endStep/,
    );
  });
});
