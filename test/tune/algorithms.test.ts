import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../../src/random/rng.js';
import type { AlgorithmContext } from '../../src/tune/algorithms/algorithm.js';
import { BayesianAlgorithm } from '../../src/tune/algorithms/bayesian.js';
import {
  expectedImprovement,
  GaussianProcess,
  normalCdf,
} from '../../src/tune/algorithms/gaussian-process.js';
import { HyperbandAlgorithm } from '../../src/tune/algorithms/hyperband.js';
import { HyperParameters } from '../../src/tune/hyperparameters.js';
import { MedianStoppingPruner } from '../../src/tune/median-pruner.js';
import {
  dominates,
  inferDirection,
  paretoFront,
  parseObjectives,
} from '../../src/tune/objective.js';
import type { TrialRecord } from '../../src/tune/trial.js';

function trial(
  number: number,
  state: TrialRecord['state'],
  params: Record<string, number>,
  values: number[] | null,
  curve: number[] = [],
): TrialRecord {
  return {
    number,
    state,
    params,
    meta: { initialEpoch: 0, epochs: curve.length || 1 },
    values,
    metrics: null,
    error: null,
    intermediate: curve.map((value, step) => ({ step, value, logs: {} })),
    startedAt: null,
    finishedAt: null,
  };
}

describe('Hyperband brackets', () => {
  it('match Li et al. 2018, Table 1 (R = 81, η = 3)', () => {
    const hb = new HyperbandAlgorithm({ maxEpochs: 81, factor: 3 });
    assert.equal(hb.sMax, 4);
    const table = [0, 1, 2, 3, 4].map((b) => hb.bracket(b).map((r) => [r.n, r.epochs]));
    assert.deepEqual(table, [
      [
        [81, 1],
        [27, 3],
        [9, 9],
        [3, 27],
        [1, 81],
      ],
      [
        [34, 3],
        [11, 9],
        [3, 27],
        [1, 81],
      ],
      [
        [15, 9],
        [5, 27],
        [1, 81],
      ],
      [
        [8, 27],
        [2, 81],
      ],
      [[5, 81]],
    ]);
    assert.throws(
      () => new HyperbandAlgorithm({ maxEpochs: 0 }),
      /Hyperband: maxEpochs must be an integer >= 1/,
    );
    assert.throws(
      () => new HyperbandAlgorithm({ maxEpochs: 9, factor: 1 }),
      /factor must be an integer >= 2/,
    );
  });
});

describe('Gaussian process and expected improvement', () => {
  it('interpolates its data and is unsure away from it', () => {
    const xs = [0, 0.25, 0.5, 0.75, 1].map((v) => [v]);
    const ys = xs.map(([v]) => Math.sin(6 * v!));
    const gp = new GaussianProcess(xs, ys);
    for (let i = 0; i < xs.length; i++)
      assert.ok(Math.abs(gp.predict(xs[i]!).mean - ys[i]!) < 0.15); // the fitted noise smooths a little
    assert.ok(gp.predict([0.1]).std > gp.predict([0.25]).std);
    assert.ok(Math.abs(normalCdf(1.96) - 0.975) < 1e-4);
    assert.ok(expectedImprovement(1, 0.5, 0.8) > expectedImprovement(0.5, 0.5, 0.8));
    assert.ok(expectedImprovement(0.5, 1e-9, 0.8) < 1e-12);
  });

  it('Bayesian optimisation proposes near the best region of a smooth objective', () => {
    const hp = new HyperParameters();
    hp.float('a', 0, 1);
    const score = (a: number) => -((a - 0.7) ** 2);
    const trials = [0.05, 0.2, 0.4, 0.55, 0.95].map((a, i) =>
      trial(i, 'complete', { a }, [score(a)]),
    );
    const ctx: AlgorithmContext = {
      trials,
      space: hp.space,
      score: (t) => t.values![0]!,
      epochs: 1,
      rng: new Rng(1),
    };
    const sampled = new BayesianAlgorithm({ numInitialPoints: 5 }).sampler(ctx)(
      hp.space[0]!,
    ) as number;
    assert.ok(Math.abs(sampled - 0.7) < 0.15, `proposed ${sampled}`);
  });
});

describe('objectives and pruning', () => {
  it('infers directions, finds the Pareto front and rejects bad objectives', () => {
    assert.equal(inferDirection('val_loss'), 'min');
    assert.equal(inferDirection('val_accuracy'), 'max');
    const objs = parseObjectives(['val_accuracy', { name: 'params', direction: 'min' }]);
    assert.ok(dominates(objs, [0.9, 100], [0.8, 200]));
    assert.ok(!dominates(objs, [0.9, 300], [0.8, 200]));
    const points = [
      [0.9, 300],
      [0.8, 200],
      [0.85, 400],
      [0.7, 100],
      [0.7, 150],
    ];
    assert.deepEqual(
      paretoFront(objs, points, (p) => p),
      [
        [0.9, 300],
        [0.8, 200],
        [0.7, 100],
      ],
    );
    assert.throws(() => parseObjectives([]), /objective needs at least one metric/);
    assert.throws(
      () => parseObjectives([{ name: 'x', direction: 'up' as never }]),
      /'x' direction must be 'max' or 'min'/,
    );
  });

  it('the median rule stops a trial below the median of completed trials at the same epoch', () => {
    const pruner = new MedianStoppingPruner({ startupTrials: 3, warmupSteps: 1 });
    const done = [0.5, 0.6, 0.7].map((v, i) => trial(i, 'complete', {}, [v], [v - 0.1, v]));
    const up = (v: number) => v;
    const bad = trial(9, 'running', {}, null, [0.3, 0.4]);
    const good = trial(10, 'running', {}, null, [0.3, 0.65]);
    assert.equal(pruner.shouldPrune([...done, bad], bad, 1, up), true);
    assert.equal(pruner.shouldPrune([...done, good], good, 1, up), false);
    assert.equal(pruner.shouldPrune([...done, bad], bad, 0, up), false); // warm-up
    assert.equal(pruner.shouldPrune([done[0]!, bad], bad, 1, up), false); // too few trials yet
  });
});
