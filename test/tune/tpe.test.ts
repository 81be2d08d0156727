import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Rng } from '../../src/random/rng.js';
import type { AlgorithmContext } from '../../src/tune/algorithms/algorithm.js';
import { ParzenEstimator, TpeAlgorithm } from '../../src/tune/algorithms/tpe.js';
import { loadTuneConfig } from '../../src/tune/config.js';
import { HyperParameters, isValidValue, type Params } from '../../src/tune/hyperparameters.js';
import { randomSampler } from '../../src/tune/space.js';
import type { TrialRecord } from '../../src/tune/trial.js';
import { TPE } from '../../src/tune/tuners.js';
import { build, data } from './fixtures/tiny-space.js';
import '../../src/backends/index.js';

const root = mkdtempSync(join(tmpdir(), 'keel-tpe-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

function trial(number: number, params: Params, value: number): TrialRecord {
  return {
    number,
    state: 'complete',
    params,
    meta: { initialEpoch: 0, epochs: 1 },
    values: [value],
    metrics: null,
    error: null,
    intermediate: [],
    startedAt: null,
    finishedAt: null,
  };
}

/** A context over `trials`, with the space their build defines. */
function context(trials: TrialRecord[], define: (hp: HyperParameters) => void, seed = 1) {
  const hp = new HyperParameters();
  define(hp);
  return {
    ctx: {
      trials,
      space: hp.space,
      score: (t) => t.values![0]!,
      epochs: 1,
      rng: new Rng(seed),
    } satisfies AlgorithmContext,
    space: hp.space,
  };
}

describe('TPE', () => {
  it('Parzen estimators are densities on [0, 1] and draw inside it', () => {
    for (const points of [[], [0.5], [0, 0.02, 0.9, 1], [0.3, 0.31, 0.32, 0.33, 0.7]]) {
      const pe = new ParzenEstimator(points);
      let mass = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++) mass += Math.exp(pe.logPdf((i + 0.5) / n)) / n;
      assert.ok(Math.abs(mass - 1) < 2e-3, `mass ${mass} for ${points}`);
      const rng = new Rng(3);
      for (let i = 0; i < 200; i++) {
        const v = pe.sample(rng);
        assert.ok(v >= 0 && v <= 1, `drew ${v}`);
      }
    }
    // the density is highest where the observations crowd
    const pe = new ParzenEstimator([0.3, 0.31, 0.32, 0.33, 0.7]);
    assert.ok(pe.logPdf(0.315) > pe.logPdf(0.7));
    assert.ok(pe.logPdf(0.7) > pe.logPdf(0.95));
  });

  it('draws at random until numInitialPoints trials are scored, then models them', () => {
    const define = (hp: HyperParameters) => hp.float('a', 0, 1);
    const few = [0.1, 0.5].map((a, i) => trial(i, { a }, -a));
    const { ctx, space } = context(few, define, 9);
    const tpe = new TpeAlgorithm({ numInitialPoints: 3 });
    assert.equal(tpe.split(ctx), null);
    const drawn = tpe.sampler(ctx)(space[0]!);
    assert.equal(drawn, randomSampler(new Rng(9))(space[0]!));
    const more = [...few, trial(2, { a: 0.9 }, -0.9)];
    const split = tpe.split(context(more, define).ctx)!;
    assert.deepEqual(
      split.good.map((t) => t.number),
      [0],
    );
    assert.deepEqual(
      split.rest.map((t) => t.number),
      [1, 2],
    );
  });

  it('proposes near the best region of a log-scaled float, an int grid and a choice', () => {
    const define = (hp: HyperParameters) => {
      hp.float('lr', 1e-4, 1e-1, { sampling: 'log' });
      hp.int('units', 8, 64, { step: 8 });
      hp.choice('act', ['relu', 'tanh', 'gelu']);
    };
    // the score peaks at lr = 1e-2, units = 48, act = 'tanh'
    const score = (p: Params) =>
      -((Math.log10(p['lr'] as number) + 2) ** 2) -
      (((p['units'] as number) - 48) / 56) ** 2 -
      (p['act'] === 'tanh' ? 0 : 0.5);
    const rng = new Rng(7);
    const { space: space0 } = context([], define);
    const trials: TrialRecord[] = [];
    for (let i = 0; i < 40; i++) {
      const p = Object.fromEntries(space0.map((s) => [s.name, randomSampler(rng)(s)]));
      trials.push(trial(i, p, score(p)));
    }
    const { ctx, space } = context(trials, define, 11);
    const tpe = new TpeAlgorithm({ candidates: 64 });
    const proposals = Array.from({ length: 20 }, () => {
      const sample = tpe.sampler(ctx);
      return Object.fromEntries(space.map((s) => [s.name, sample(s)]));
    });
    for (const p of proposals)
      for (const s of space) assert.ok(isValidValue(s, p[s.name]!), `${s.name}=${p[s.name]}`);
    const mean = (f: (p: Params) => number) =>
      proposals.reduce((s, p) => s + f(p), 0) / proposals.length;
    // far better than the random trials on average
    const randomMean = trials.reduce((s, t) => s + t.values![0]!, 0) / trials.length;
    assert.ok(mean(score) > randomMean + 0.5, `TPE ${mean(score)} vs random ${randomMean}`);
    assert.ok(Math.abs(mean((p) => Math.log10(p['lr'] as number)) + 2) < 0.5);
    assert.ok(mean((p) => (p['act'] === 'tanh' ? 1 : 0)) > 0.6);
  });

  it('models a conditional parameter from the trials that defined it only', () => {
    const define = (hp: HyperParameters) => {
      const kind = hp.choice('kind', ['cnn', 'mlp']);
      hp.conditionalScope('kind', ['cnn'], () => hp.int('filters', 8, 64));
      if (kind !== 'cnn') hp.conditionalScope('kind', ['mlp'], () => hp.int('units', 8, 64));
    };
    const trials = [
      trial(0, { kind: 'cnn', filters: 60 }, 1),
      trial(1, { kind: 'cnn', filters: 62 }, 0.9),
      trial(2, { kind: 'cnn', filters: 10 }, 0.1),
      trial(3, { kind: 'cnn', filters: 12 }, 0.05),
      trial(4, { kind: 'mlp', units: 20 }, 0.2),
      trial(5, { kind: 'mlp', units: 30 }, 0.15),
    ];
    const tpe = new TpeAlgorithm({ numInitialPoints: 6, gamma: 0.3, candidates: 48 });
    const cnn = new HyperParameters();
    cnn.choice('kind', ['cnn', 'mlp']);
    cnn.conditionalScope('kind', ['cnn'], () => cnn.int('filters', 8, 64));
    const filters = cnn.space[1]!;
    const { ctx } = context(trials, define, 2);
    const split = tpe.split(ctx)!;
    assert.deepEqual(
      split.good.map((t) => t.number),
      [0, 1],
    );
    const picks = Array.from({ length: 10 }, (_, i) =>
      tpe.choose(filters, split, new Rng(i)),
    ) as number[];
    assert.ok(
      picks.every((v) => v >= 40),
      `filters ${picks}`,
    );
    // 'units' was never defined by a good trial: l(x) is the prior alone, still a valid draw
    const mlp = new HyperParameters({ kind: 'mlp' });
    mlp.choice('kind', ['cnn', 'mlp']);
    mlp.conditionalScope('kind', ['mlp'], () => mlp.int('units', 8, 64));
    const units = tpe.choose(mlp.space[1]!, split, new Rng(1));
    assert.ok(isValidValue(mlp.space[1]!, units));
    assert.equal(
      tpe.choose({ type: 'fixed', name: 'f', value: 3, conditions: [] }, split, new Rng(1)),
      3,
    );
    assert.equal(
      typeof tpe.choose({ type: 'boolean', name: 'b', conditions: [] }, split, new Rng(1)),
      'boolean',
    );
  });

  it('rejects bad options, runs as a tuner and is an algorithm choice in configs', async () => {
    assert.throws(() => new TpeAlgorithm({ gamma: 1 }), /TPE: gamma must be in \(0, 1\), got 1/);
    assert.throws(() => new TpeAlgorithm({ candidates: 0 }), /TPE: candidates/);
    assert.throws(() => new TpeAlgorithm({ priorWeight: 0 }), /TPE: priorWeight/);
    const { x, y, validationData } = data();
    const tuner = new TPE({
      build,
      objective: 'val_accuracy',
      maxTrials: 5,
      numInitialPoints: 2,
      seed: 3,
      directory: root,
      projectName: 'tpe',
    });
    await tuner.search(x, y, { validationData, epochs: 1, verbose: 0 });
    const trials = tuner.results();
    assert.equal(trials.filter((t) => t.state === 'complete').length, 5);
    assert.equal(tuner.algorithm.name, 'tpe');
    assert.ok(tuner.getBestHyperparameters()[0]!.get('units'));
    tuner.close();
    const file = join(root, 'tpe.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      JSON.stringify({ build: 'x.ts', data: 'x.ts', algorithm: 'tpe', objective: 'val_accuracy' }),
    );
    assert.equal(loadTuneConfig(file).algorithm, 'tpe');
  });
});
