import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../../src/backends/index.js';
import {
  classBalance,
  constantFeatures,
  crossDuplicates,
  exactDuplicates,
  findLabelIssues,
  findMissing,
  impute,
  inspect,
  nearDuplicateTexts,
  nearDuplicateVectors,
  outOfFoldProbabilities,
  outOfRange,
} from '../../../src/data/cleaning/index.js';
import { Dataset } from '../../../src/data/dataset/dataset.js';
import { Sequential } from '../../../src/models/sequential.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { Rng, setSeed } from '../../../src/random/rng.js';
import { tensor } from '../../../src/tensor/create.js';
import { Tensor } from '../../../src/tensor/tensor.js';

describe('duplicates', () => {
  it('exact duplicates and train/test leakage by hashing', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
      [1, 2],
      [5, 6],
      [1, 2],
    ]);
    assert.deepEqual(exactDuplicates(x), [[0, 2, 4]]);
    assert.deepEqual(
      crossDuplicates(
        x,
        tensor([
          [9, 9],
          [3, 4],
        ]),
      ),
      [[1, 1]],
    );
    assert.deepEqual(exactDuplicates(['a', 'b', 'a']), [[0, 2]]);
  });

  it('near-duplicate texts by MinHash + LSH, with their Jaccard similarity', () => {
    const base =
      'the quick brown fox jumps over the lazy dog near the river bank today and tomorrow';
    const texts = [
      base,
      `${base} again`,
      'completely different words about machine learning and data pipelines for all',
      base.replace('lazy', 'sleepy'),
    ];
    const pairs = nearDuplicateTexts(texts, null, { threshold: 0.7 });
    assert.deepEqual(
      pairs.map((p) => [p.i, p.j]),
      [
        [0, 1],
        [0, 3],
        [1, 3],
      ].filter(([i, j]) => pairs.some((p) => p.i === i && p.j === j)),
    );
    assert.ok(pairs.some((p) => p.i === 0 && p.j === 1 && p.similarity > 0.9));
    assert.ok(!pairs.some((p) => p.i === 2 || p.j === 2));
    const cross = nearDuplicateTexts([base], [texts[2]!, texts[1]!], { threshold: 0.7 });
    assert.deepEqual(
      cross.map((p) => [p.i, p.j]),
      [[0, 1]],
    );
  });

  it('near-duplicate vectors by cosine similarity', () => {
    const rng = new Rng(1);
    const rows = Array.from({ length: 50 }, () => Array.from({ length: 20 }, () => rng.uniform()));
    rows.push(rows[3]!.map((v) => v * 1.001 + 0.0001));
    const pairs = nearDuplicateVectors(tensor(rows), null, { threshold: 0.999 });
    assert.deepEqual(
      pairs.map((p) => [p.i, p.j]),
      [[3, 50]],
    );
  });
});

describe('missing values and features', () => {
  const x = tensor([
    [1, Number.NaN, 7],
    [3, 4, 7],
    [Number.POSITIVE_INFINITY, 8, 7],
    [5, 6, 7],
  ]);
  it('finds NaN and Infinity per feature and sample', () => {
    const m = findMissing(x);
    assert.deepEqual(m.rows, [0, 2]);
    assert.deepEqual([...m.nan], [0, 1, 0]);
    assert.deepEqual([...m.infinite], [1, 0, 0]);
  });
  it('imputes by mean, median, constant, or drops', () => {
    assert.deepEqual([...impute(x).x.data].slice(0, 3), [1, 6, 7]);
    assert.deepEqual([...impute(x, { strategy: 'median' }).x.data][6], 3);
    assert.deepEqual([...impute(x, { strategy: 'constant', fillValue: -1 }).x.data][1], -1);
    const dropped = impute(x, { strategy: 'drop' });
    assert.deepEqual([...dropped.kept], [1, 3]);
    assert.deepEqual(dropped.x.shape, [2, 3]);
    assert.throws(() => impute(x, { strategy: 'constant' }), /needs a numeric fillValue/);
  });
  it('constant and out-of-range features, class balance', () => {
    assert.deepEqual(constantFeatures(x), [2]);
    assert.equal(outOfRange(x, { min: 0, max: 6 }).count, 5);
    assert.deepEqual(classBalance([0, 0, 0, 1]), { counts: [3, 1], ratio: 3 });
  });
});

describe('confident learning', () => {
  it('flags the flipped labels of well-separated probabilities', () => {
    const rng = new Rng(2);
    const n = 300;
    const truth = Int32Array.from({ length: n }, (_, i) => i % 3);
    const given = Int32Array.from(truth);
    const flipped = [5, 50, 100, 151, 200, 250];
    for (const i of flipped) given[i] = (truth[i]! + 1) % 3;
    const probs = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) {
      // the flipped samples are confidently their true class (above its mean self-confidence)
      const conf = flipped.includes(i) ? 0.96 : 0.7 + 0.25 * rng.uniform();
      for (let j = 0; j < 3; j++) probs[i * 3 + j] = j === truth[i] ? conf : (1 - conf) / 2;
    }
    const issues = findLabelIssues(new Tensor(probs, [n, 3], 'float32'), given);
    assert.deepEqual(
      [...issues.indices].sort((a, b) => a - b),
      flipped,
    );
    for (const i of flipped) assert.equal(issues.suggested[issues.indices.indexOf(i)], truth[i]);
    assert.ok(
      issues.margin.every((m) => m < 0),
      'suspects have negative margins',
    );
    assert.ok(
      Math.abs(issues.noiseRate - flipped.length / n) < 0.02,
      `noise rate ${issues.noiseRate}`,
    );
    // C[given][true]: the flips 0→1, 1→2, 2→0 sit at C[1][0], C[2][1], C[0][2]
    assert.equal(
      issues.confidentJoint[1]![0]! + issues.confidentJoint[2]![1]! + issues.confidentJoint[0]![2]!,
      6,
    );
    const cl = findLabelIssues(new Tensor(probs, [n, 3], 'float32'), given, {
      filterBy: 'confident_learning',
    });
    assert.deepEqual(
      [...cl.indices].sort((a, b) => a - b),
      flipped,
    );
    assert.throws(
      () => findLabelIssues(new Tensor(probs, [n, 3], 'float32'), given.subarray(1)),
      /probs \[300, 3\] has 300 rows of probabilities but labels \[299\] has 299 labels/,
    );
  });

  it('out-of-fold probabilities come from models that never saw the sample', async () => {
    setSeed(1);
    const x = tensor(Array.from({ length: 40 }, (_, i) => [i % 2 ? 1 : -1, (i % 5) / 5]));
    const y = tensor(Array.from({ length: 40 }, (_, i) => (i % 2 ? [0, 1] : [1, 0])));
    const make = () => {
      const m = new Sequential([new Dense(2, { activation: 'softmax', inputShape: [2] })]);
      m.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
      return m;
    };
    const probs = await outOfFoldProbabilities(make, x, y, {
      folds: 2,
      fit: { epochs: 2, batchSize: 8 },
    });
    assert.deepEqual(probs.shape, [40, 2]);
    for (let i = 0; i < 40; i++)
      assert.ok(Math.abs(probs.data[2 * i]! + probs.data[2 * i + 1]! - 1) < 1e-5);
  });
});

describe('outOfFoldProbabilities: no leakage', () => {
  it("a sample's probabilities do not change when its own label changes", async () => {
    const n = 24;
    const x = tensor(Array.from({ length: n }, (_, i) => [i % 2 ? 1 : -1, (i % 5) / 5]));
    const labels = Array.from({ length: n }, (_, i) => i % 2);
    const foldOf = Array.from({ length: n }, (_, i) => Math.floor(i / 2) % 3);
    const run = async (ls: number[]) => {
      setSeed(1); // each fold's model and shuffling draw the same numbers in both runs
      const y = tensor(ls.map((l) => (l ? [0, 1] : [1, 0])));
      const make = () => {
        const m = new Sequential([new Dense(2, { activation: 'softmax', inputShape: [2] })]);
        m.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
        return m;
      };
      return (
        await outOfFoldProbabilities(make, x, y, {
          folds: 3,
          foldOf,
          fit: { epochs: 3, batchSize: 4 },
        })
      ).data;
    };
    const before = await run(labels);
    const flipped = [...labels];
    flipped[0] = 1 - flipped[0]!;
    const after = await run(flipped);
    const row = (d: ArrayLike<number>, i: number) => [d[2 * i]!, d[2 * i + 1]!];
    for (let i = 0; i < n; i++) {
      if (foldOf[i] === foldOf[0]) assert.deepEqual(row(after, i), row(before, i), `sample ${i}`);
    }
    // The models that trained on sample 0 (the other folds) did see the change.
    assert.ok(
      Array.from({ length: n }, (_, i) => i).some(
        (i) => foldOf[i] !== foldOf[0] && row(after, i).some((v, c) => v !== row(before, i)[c]),
      ),
      'the flipped label reaches the other folds',
    );
    await assert.rejects(
      outOfFoldProbabilities(() => new Sequential([]), x, tensor(labels), {
        folds: 3,
        foldOf: [0, 1],
      }),
      /foldOf has 2 entries, x has 24 samples/,
    );
  });
});

describe('inspect', () => {
  it('reports duplicates, leakage, missing values, constant features and balance', async () => {
    const x = tensor([
      [1, 0],
      [1, 0],
      [2, 0],
      [Number.NaN, 0],
      [3, 0],
      [4, 0],
    ]);
    const report = await inspect(
      {
        x,
        y: [0, 1, 0, 0, 0, 0],
        xTest: tensor([
          [2, 0],
          [9, 0],
        ]),
        yTest: [0, 1],
      },
      { valueRange: [0, 3] },
    );
    const text = String(report);
    assert.match(text, /WARN\s+exact duplicates: 1 redundant copies in 1 groups/);
    assert.match(text, /ERROR conflicting labels: 1 groups/);
    assert.match(text, /ERROR train\/test leakage: 1 of 2 test samples \(50\.0%\)/);
    assert.match(text, /ERROR missing values: 1 NaN and 0 infinite values in 1 samples/);
    assert.match(text, /WARN\s+constant features: 1 of 2/);
    assert.match(text, /WARN\s+out of range: 1 values outside \[0, 3\]/);
    assert.match(text, /WARN\s+test out of training range: 1 test values/);
    assert.match(
      text,
      /class balance \(y\): 2 classes; counts 0: 5, 1: 1; largest\/smallest 5\.00/,
    );
  });

  it('empty datasets get a report line; mixed label types an error', async () => {
    const empty = await inspect(Dataset.fromGenerator([]));
    assert.match(String(empty), /ERROR size: the data set is empty/);
    await assert.rejects(
      inspect({ x: tensor([[1], [2]]), y: [0, 'cat'] }),
      /labels mix types \(number and string\)/,
    );
    const fromDs = await inspect(Dataset.fromTensorSlices({ x: tensor([[1], [1]]), y: [0, 0] }));
    assert.match(String(fromDs), /1 redundant copies/);
  });
});
