import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../../src/backends/index.js';
import {
  estimateNoise,
  findLabelIssues,
  pruneLabelIssues,
  relabelIssues,
  reweightLabels,
} from '../../../src/data/cleaning/index.js';
import { Sequential } from '../../../src/models/sequential.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { Rng, setSeed } from '../../../src/random/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';

/** Samples drawn from a known prior and noise matrix, with simulated out-of-fold probabilities. */
function synthetic(n: number, prior: number[], noise: number[][], seed: number) {
  const rng = new Rng(seed);
  const k = prior.length;
  const draw = (weights: number[]) => {
    let u = rng.uniform();
    for (let j = 0; j < k; j++) if ((u -= weights[j]!) < 0) return j;
    return k - 1;
  };
  const truth = new Int32Array(n);
  const given = new Int32Array(n);
  const probs = new Float32Array(n * k);
  for (let i = 0; i < n; i++) {
    truth[i] = draw(prior);
    given[i] = draw(noise.map((row) => row[truth[i]!]!)); // column truth: P(given | true)
    // A model that learned the true classes: softmax(3·onehot(true) + N(0, 0.8²)).
    const logits = Array.from(
      { length: k },
      (_, j) => (j === truth[i] ? 3 : 0) + 0.8 * rng.normal(),
    );
    const top = Math.max(...logits);
    const e = logits.map((v) => Math.exp(v - top));
    const s = e.reduce((a, b) => a + b, 0);
    e.forEach((v, j) => {
      probs[i * k + j] = v / s;
    });
  }
  return { truth, given, probs: new Tensor(probs, [n, k], 'float32') };
}

describe('estimateNoise', () => {
  it('recovers a known noise matrix and prior within 0.05 per entry', () => {
    const prior = [0.3, 0.25, 0.25, 0.2];
    // noise[given][true]; each column sums to 1 (asymmetric: 1→2 often, 2→1 and 2→3 too)
    const noise = [
      [0.8, 0.1, 0.0, 0.05],
      [0.1, 0.7, 0.2, 0.0],
      [0.05, 0.2, 0.75, 0.15],
      [0.05, 0.0, 0.05, 0.8],
    ];
    const { given, probs } = synthetic(20000, prior, noise, 3);
    const est = estimateNoise(probs, given);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++)
        assert.ok(
          Math.abs(est.noiseMatrix[i]![j]! - noise[i]![j]!) < 0.05,
          `P(given ${i} | true ${j}) = ${est.noiseMatrix[i]![j]} vs ${noise[i]![j]}`,
        );
      assert.ok(Math.abs(est.prior[i]! - prior[i]!) < 0.05, `prior ${i}: ${est.prior[i]}`);
      const column = est.noiseMatrix.reduce((s, row) => s + row[i]!, 0);
      assert.ok(Math.abs(column - 1) < 1e-9, `column ${i} sums to ${column}`);
    }
    const trueRate = 1 - prior.reduce((s, p, j) => s + p * noise[j]![j]!, 0);
    assert.ok(
      Math.abs(est.noiseRate - trueRate) < 0.03,
      `noise rate ${est.noiseRate} vs ${trueRate}`,
    );
    const joint = est.joint.flat().reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(joint - 1) < 1e-9);
  });

  it('names the argument and the shapes of bad input', () => {
    const p = new Tensor(Float32Array.from([0.9, 0.1, 0.2, 0.8, 0.5, 0.5]), [3, 2], 'float32');
    assert.throws(
      () => estimateNoise(p, [0, 1]),
      /estimateNoise: probs \[3, 2\] has 3 rows of probabilities but labels \[2\] has 2 labels/,
    );
    assert.throws(
      () => estimateNoise(p, [0, 1, 2]),
      /labels\[2\] is 2; expected an integer class in \[0, 2\) for probs \[3, 2\]/,
    );
    assert.throws(() => estimateNoise(p, [0, -1, 1]), /labels\[1\] is -1/);
    assert.throws(() => estimateNoise(p, [0, 0.5, 1]), /labels\[1\] is 0.5/);
    const logits = new Tensor(Float32Array.from([0.9, 0.3, 0.2, 0.8, 0.5, 0.5]), [3, 2], 'float32');
    assert.throws(() => estimateNoise(logits, [0, 1, 1]), /row 0 of probs \[3, 2\] sums to 1.2/);
    const nan = new Tensor(
      Float32Array.from([Number.NaN, 1, 0.2, 0.8, 0.5, 0.5]),
      [3, 2],
      'float32',
    );
    assert.throws(() => estimateNoise(nan, [0, 1, 1]), /probs\[0, 0\] is NaN/);
    assert.throws(
      () => estimateNoise(new Tensor(new Float32Array(6), [6], 'float32'), [0]),
      /probs must be \[samples, classes\], got \[6\]/,
    );
  });
});

/** 300 samples of 3 classes; 6 flipped labels whose probabilities confidently say the truth. */
function toy(steady = false) {
  const rng = new Rng(2);
  const n = 300;
  const truth = Int32Array.from({ length: n }, (_, i) => i % 3);
  const given = Int32Array.from(truth);
  const flipped = [5, 50, 100, 151, 200, 250];
  for (const i of flipped) given[i] = (truth[i]! + 1) % 3;
  const probs = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) {
    const conf = flipped.includes(i) ? 0.96 : steady ? 0.9 : 0.7 + 0.25 * rng.uniform();
    for (let j = 0; j < 3; j++) probs[i * 3 + j] = j === truth[i] ? conf : (1 - conf) / 2;
  }
  const x = new Tensor(
    Float32Array.from({ length: n * 2 }, (_, e) => (e % 2 ? truth[e >> 1]! : e >> 1)),
    [n, 2],
    'float32',
  );
  const oneHot = new Float32Array(n * 3);
  given.forEach((l, i) => {
    oneHot[i * 3 + l] = 1;
  });
  return {
    n,
    x,
    truth,
    flipped,
    yIds: new Tensor(given, [n], 'int32'),
    yOneHot: new Tensor(oneHot, [n, 3], 'float32'),
    probs: new Tensor(probs, [n, 3], 'float32'),
  };
}

describe('acting on label issues', () => {
  it('prune removes exactly the flipped samples, keeping rows aligned', () => {
    const t = toy();
    for (const y of [t.yIds, t.yOneHot]) {
      const out = pruneLabelIssues(t.x, y, t.probs);
      assert.deepEqual(
        [...out.removed].sort((a, b) => a - b),
        t.flipped,
      );
      assert.equal(out.x.shape[0], t.n - 6);
      assert.deepEqual(out.y.shape, [t.n - 6, ...y.shape.slice(1)]);
      // x's second column is the true class: every kept label now matches it
      for (let r = 0; r < out.kept.length; r++) {
        const label =
          y.rank === 1 ? out.y.data[r]! : [0, 1, 2].find((j) => out.y.data[r * 3 + j] === 1);
        assert.equal(label, out.x.data[r * 2 + 1]);
        assert.equal(out.x.data[r * 2], out.kept[r]);
      }
    }
  });

  it('relabel gives the flipped samples their true class, in the form y was given', () => {
    const t = toy();
    const ids = relabelIssues(t.x, t.yIds, t.probs, { threshold: 0.9 });
    assert.deepEqual(
      [...ids.relabelled].sort((a, b) => a - b),
      t.flipped,
    );
    assert.equal(ids.y.dtype, 'int32');
    assert.deepEqual([...ids.y.data], [...t.truth]);
    const hot = relabelIssues(t.x, t.yOneHot, t.probs, { threshold: 0.9 });
    for (let i = 0; i < t.n; i++) assert.equal(hot.y.data[i * 3 + t.truth[i]!], 1);
    assert.equal(
      [...hot.y.data].reduce((a, b) => a + b, 0),
      t.n,
    );
    // Above every prediction's confidence: nothing changes; unsure ones can be removed instead.
    const none = relabelIssues(t.x, t.yIds, t.probs, { threshold: 0.99 });
    assert.deepEqual(none.relabelled, []);
    assert.deepEqual([...none.y.data], [...t.yIds.data]);
    const cut = relabelIssues(t.x, t.yIds, t.probs, { threshold: 0.99, unsure: 'remove' });
    assert.deepEqual(
      [...cut.removed].sort((a, b) => a - b),
      t.flipped,
    );
    assert.throws(
      () => relabelIssues(t.x, t.yIds, t.probs, { threshold: 2 }),
      /relabelIssues: threshold/,
    );
  });

  it('reweight: keep ratio 1 / P(given i | true i) on kept samples, or P(label right)', () => {
    // Every sample above its class threshold: the confident joint counts the flips exactly.
    const t = toy(true);
    // True 2 → given 0 three times, true 1 → given 2 three times; 100 samples per true class.
    const kr = reweightLabels(t.x, t.yIds, t.probs);
    assert.deepEqual(
      [...kr.removed].sort((a, b) => a - b),
      t.flipped,
    );
    const expected = [1, 1 / 0.97, 1 / 0.97];
    for (let r = 0; r < kr.kept.length; r++) {
      const w = kr.sampleWeight!.data[r]!;
      assert.ok(
        Math.abs(w - expected[kr.y.data[r]!]!) < 1e-5,
        `weight ${w} of label ${kr.y.data[r]}`,
      );
    }
    const lp = reweightLabels(t.x, t.yOneHot, t.probs, { method: 'labelProbability' });
    assert.equal(lp.kept.length, t.n);
    const w = lp.sampleWeight!.data;
    assert.ok(Math.abs([...w].reduce((a, b) => a + b, 0) / t.n - 1) < 1e-5, 'mean weight 1');
    for (let i = 0; i < t.n; i++)
      if (t.flipped.includes(i)) assert.ok(w[i]! < 0.05, `flipped ${i} weighs ${w[i]}`);
      else assert.ok(w[i]! > 0.7, `clean ${i} weighs ${w[i]}`);
  });

  it('the result goes straight into fit, sampleWeight included', async () => {
    setSeed(1);
    const t = toy();
    const out = reweightLabels(t.x, t.yOneHot, t.probs);
    const model = new Sequential([new Dense(3, { activation: 'softmax', inputShape: [2] })]);
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    const h = await model.fit(out.x, out.y, {
      epochs: 1,
      batchSize: 64,
      verbose: 0,
      sampleWeight: out.sampleWeight,
    });
    assert.ok(Number.isFinite(h.history.loss![0]!));
  });

  it('clear errors for mismatched x, y and probabilities', () => {
    const t = toy();
    const short = new Tensor(t.probs.data.subarray(0, 297), [99, 3], 'float32');
    assert.throws(
      () => pruneLabelIssues(t.x, t.yIds, short),
      /pruneLabelIssues: probs \[99, 3\] has 99 rows of probabilities but labels \[300\] has 300 labels/,
    );
    const y4 = new Tensor(
      new Float32Array(t.n * 4).map((_, e) => (e % 4 === 0 ? 1 : 0)),
      [t.n, 4],
      'float32',
    );
    assert.throws(
      () => reweightLabels(t.x, y4, t.probs),
      /y \[300, 4\] has 4 classes but probs \[300, 3\] has 3/,
    );
    const x2 = new Tensor(new Float32Array(20), [10, 2], 'float32');
    assert.throws(
      () => relabelIssues(x2, t.yIds, t.probs),
      /x \[10, 2\] has 10 samples but y \[300\] has 300/,
    );
    const bad = Float32Array.from(t.probs.data);
    bad[7] = 0.5;
    assert.throws(
      () => pruneLabelIssues(t.x, t.yIds, new Tensor(bad, [t.n, 3], 'float32')),
      /row 2 of probs \[300, 3\] sums to/,
    );
    assert.throws(
      () => findLabelIssues(t.probs, Int32Array.from(t.yIds.data).fill(3, 0, 1)),
      /labels\[0\] is 3; expected an integer class in \[0, 3\)/,
    );
  });
});
