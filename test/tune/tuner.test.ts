import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Sequential } from '../../src/models/sequential.js';
import { Callback } from '../../src/nn/callbacks/callback.js';
import { Dense } from '../../src/nn/layers/dense.js';
import type { HyperParameters } from '../../src/tune/hyperparameters.js';
import { MedianStoppingPruner } from '../../src/tune/median-pruner.js';
import { executionPath, runTrial } from '../../src/tune/trial-runner.js';
import { SearchInterrupted, type SearchProgress } from '../../src/tune/tuner.js';
import { ASHA, BayesianOptimization, Hyperband, RandomSearch } from '../../src/tune/tuners.js';
import { build, data } from './fixtures/tiny-space.js';
import '../../src/backends/index.js';

const root = mkdtempSync(join(tmpdir(), 'keel-tune-test-'));
after(() => rmSync(root, { recursive: true, force: true }));
let projects = 0;
const place = () => ({ directory: root, projectName: `p${projects++}` });
const { x, y, validationData } = data();
const quiet = { verbose: 0, validationData, batchSize: 32 };

describe('Tuner', () => {
  it('random search runs maxTrials trials and returns the best hyperparameters and model', async () => {
    const tuner = new RandomSearch({
      build,
      objective: 'val_accuracy',
      maxTrials: 4,
      seed: 1,
      ...place(),
    });
    await tuner.search(x, y, { ...quiet, epochs: 2 });
    const trials = tuner.results();
    assert.equal(trials.length, 4);
    assert.ok(trials.every((t) => t.state === 'complete' && t.intermediate.length === 2));
    const best = tuner.getBestTrials(4);
    assert.ok(best[0]!.values![0]! >= best[3]!.values![0]!);
    const [hp] = tuner.getBestHyperparameters();
    assert.equal(hp!.get('units'), best[0]!.params['units']);
    const [model] = await tuner.getBestModels();
    const [, acc] = (await model!.evaluate(validationData[0], validationData[1], {
      verbose: 0,
    })) as number[];
    // the reloaded weights are the trial's last epoch, whose val_accuracy the store holds
    assert.ok(Math.abs(acc! - best[0]!.intermediate.at(-1)!.logs['val_accuracy']!) < 1e-6);
    tuner.close();
  });

  it('reports each epoch and each finished trial with trials done and the best so far', async () => {
    const tuner = new RandomSearch({
      build,
      objective: 'val_accuracy',
      maxTrials: 2,
      seed: 2,
      ...place(),
    });
    const events: SearchProgress[] = [];
    await tuner.search(x, y, { ...quiet, epochs: 2, onProgress: (p) => events.push(p) });
    const shape = events.map((e) =>
      e.type === 'epoch'
        ? `e${e.trial}:${e.epoch}/${e.epochs}:${e.trialsDone}`
        : `t${e.trial}:${e.state}:${e.trialsDone}`,
    );
    assert.deepEqual(shape, [
      'e0:1/2:0',
      'e0:2/2:0',
      't0:complete:1',
      'e1:1/2:1',
      'e1:2/2:1',
      't1:complete:2',
    ]);
    assert.ok(events.every((e) => e.maxTrials === 2 && e.objective === 'val_accuracy'));
    const trials = tuner.results();
    const epochEvent = events[1] as Extract<SearchProgress, { type: 'epoch' }>;
    assert.equal(epochEvent.logs['val_accuracy'], trials[0]!.intermediate[1]!.logs['val_accuracy']);
    assert.equal(events[0]!.best, null, 'no scored trial yet');
    assert.equal(events[2]!.best, trials[0]!.values![0]);
    assert.equal(events[5]!.best, tuner.getBestTrials(1)[0]!.values![0]);
    tuner.close();
  });

  it('keeps to maxTotalEpochs, and the same seed draws the same configurations', async () => {
    const a = new RandomSearch({
      build,
      objective: 'val_loss',
      maxTotalEpochs: 5,
      seed: 7,
      ...place(),
    });
    await a.search(x, y, { ...quiet, epochs: 2 });
    assert.equal(a.results().length, 2); // a third 2-epoch trial would exceed 5
    const b = new RandomSearch({ build, objective: 'val_loss', maxTrials: 2, seed: 7, ...place() });
    await b.search(x, y, { ...quiet, epochs: 1 });
    assert.deepEqual(
      a.results().map((t) => t.params),
      b.results().map((t) => t.params),
    );
    assert.equal(a.objectives[0]!.direction, 'min');
  });

  it('marks a trial whose build throws as failed with the error and goes on', async () => {
    let calls = 0;
    const flaky = (hp: HyperParameters) => {
      const m = build(hp);
      if (calls++ % 3 === 1) throw new Error('out of memory (on purpose)');
      return m;
    };
    const tuner = new RandomSearch({
      build: flaky,
      objective: 'val_accuracy',
      maxTrials: 4,
      ...place(),
    });
    await tuner.search(x, y, { ...quiet, epochs: 1 });
    const states = tuner.results().map((t) => t.state);
    assert.equal(states.length, 4);
    assert.ok(states.includes('failed') && states.includes('complete'));
    const failed = tuner.results().find((t) => t.state === 'failed')!;
    assert.match(failed.error!, /build\(hp\) threw: out of memory \(on purpose\)/);
  });

  it('ends the search with an error naming an objective that is never logged and what was', async () => {
    const tuner = new RandomSearch({ build, objective: 'val_acc', maxTrials: 3, ...place() });
    await assert.rejects(
      tuner.search(x, y, { ...quiet, epochs: 2 }),
      /objective 'val_acc' was never logged; the trial logged: accuracy, loss, val_accuracy, val_loss/,
    );
    assert.equal(tuner.results().length, 1);
    assert.equal(tuner.results()[0]!.state, 'failed');
  });

  it('rejects an empty search space and a parameter redefined with another range', async () => {
    const fixed = () => build({ int: () => 4, float: () => 0.01 } as unknown as HyperParameters);
    const empty = new RandomSearch({
      build: fixed,
      objective: 'val_accuracy',
      maxTrials: 2,
      ...place(),
    });
    await assert.rejects(empty.search(x, y, quiet), /the search space is empty/);
    let n = 0;
    const drifting = (hp: HyperParameters) => {
      hp.int('width', 2, n++ === 0 ? 16 : 32);
      return build(hp);
    };
    const tuner = new RandomSearch({
      build: drifting,
      objective: 'val_accuracy',
      maxTrials: 3,
      ...place(),
    });
    await assert.rejects(
      tuner.search(x, y, quiet),
      /'width': redefined as int \[2, 32\].*defined it as int \[2, 16\]/,
    );
  });

  it('multi-objective: returns the Pareto front of (val_accuracy, params); constraints make trials infeasible', async () => {
    const tuner = new RandomSearch({
      build,
      objective: ['val_accuracy', { name: 'params', direction: 'min' }],
      constraints: [{ metric: 'params', max: 60 }],
      maxTrials: 8,
      seed: 3,
      ...place(),
    });
    await tuner.search(x, y, { ...quiet, epochs: 1 });
    const trials = tuner.results();
    const feasible = trials.filter((t) => t.state === 'complete');
    // params = 4u + u + 2u + 2 = 7u + 2 <= 60 means units <= 8
    for (const t of trials)
      assert.equal(t.state === 'infeasible', (t.params['units'] as number) > 8, JSON.stringify(t));
    const front = tuner.paretoFront();
    assert.ok(front.length >= 1);
    for (const a of front)
      for (const b of feasible)
        assert.ok(
          !(
            b.values![0]! >= a.values![0]! &&
            b.values![1]! <= a.values![1]! &&
            (b.values![0]! > a.values![0]! || b.values![1]! < a.values![1]!)
          ),
        );
    for (const t of feasible)
      if (!front.includes(t))
        assert.ok(
          front.some((a) => a.values![0]! >= t.values![0]! && a.values![1]! <= t.values![1]!),
        );
  });

  it('Hyperband trains its brackets, promotions continuing their parent', async () => {
    const tuner = new Hyperband({
      build,
      objective: 'val_accuracy',
      maxEpochs: 3,
      factor: 3,
      seed: 2,
      ...place(),
    });
    await tuner.search(x, y, quiet);
    const trials = tuner.results();
    // brackets: s=1: 3 configs x 1 epoch, best 1 continues to 3; s=0: 2 configs x 3 epochs
    assert.deepEqual(
      trials.map((t) => [t.meta.bracket, t.meta.rung, t.meta.initialEpoch, t.meta.epochs]),
      [
        [0, 0, 0, 1],
        [0, 0, 0, 1],
        [0, 0, 0, 1],
        [0, 1, 1, 3],
        [1, 0, 0, 3],
        [1, 0, 0, 3],
      ],
    );
    const promoted = trials[3]!;
    const parent = trials[promoted.meta.parent!]!;
    assert.deepEqual(promoted.params, parent.params);
    assert.ok(trials.slice(0, 3).every((t) => tuner.score(t)! <= tuner.score(parent)!));
    assert.deepEqual(
      promoted.intermediate.map((v) => v.step),
      [1, 2],
    );
  });

  it('ASHA promotes the top 1/η of a rung as trials finish; Bayesian runs after its random start', async () => {
    const asha = new ASHA({
      build,
      objective: 'val_accuracy',
      maxEpochs: 3,
      factor: 3,
      maxTrials: 7,
      seed: 4,
      ...place(),
    });
    await asha.search(x, y, quiet);
    const trials = asha.results();
    assert.deepEqual(
      trials.slice(0, 4).map((t) => t.meta.rung),
      [0, 0, 0, 1],
    );
    const promotions = trials.filter((t) => t.meta.rung === 1);
    assert.equal(new Set(promotions.map((t) => t.meta.parent)).size, promotions.length);
    for (const p of promotions) {
      // when p started, its parent was in the top third of the finished bottom rung
      const before = trials.filter((t) => t.meta.rung === 0 && t.number < p.number);
      const top = before
        .sort((a, b) => asha.score(b)! - asha.score(a)!)
        .slice(0, Math.floor(before.length / 3));
      assert.ok(
        top.some((t) => t.number === p.meta.parent),
        `trial ${p.number}`,
      );
      assert.deepEqual([p.meta.initialEpoch, p.meta.epochs], [1, 3]);
    }
    const bo = new BayesianOptimization({
      build,
      objective: 'val_accuracy',
      maxTrials: 5,
      numInitialPoints: 3,
      seed: 5,
      ...place(),
    });
    await bo.search(x, y, { ...quiet, epochs: 1 });
    assert.equal(bo.results().filter((t) => t.state === 'complete').length, 5);
  });

  it('the median pruner stops a trial that lags the completed ones', async () => {
    const slow = (hp: HyperParameters) => {
      const lr = hp.choice('lr', [0.1, 1e-6]);
      const model = new Sequential([new Dense(2, { activation: 'softmax', inputShape: [4] })]);
      model.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
      model.optimizer!.learningRate = lr;
      return model;
    };
    const tuner = new RandomSearch({
      build: slow,
      objective: 'val_loss',
      maxTrials: 8,
      seed: 1,
      pruner: new MedianStoppingPruner({ startupTrials: 2, warmupSteps: 1 }),
      ...place(),
    });
    await tuner.search(x, y, { ...quiet, epochs: 4 });
    const pruned = tuner.results().filter((t) => t.state === 'pruned');
    assert.ok(pruned.length >= 1, JSON.stringify(tuner.results().map((t) => [t.state, t.params])));
    for (const t of pruned) {
      assert.equal(t.params['lr'], 1e-6);
      assert.ok(t.intermediate.length < 4);
    }
  });
});

describe('stopping a search with an AbortSignal', () => {
  it('records the running trial as interrupted, not failed, and the resumed search reruns it once', async () => {
    const where = place();
    const options = { build, objective: 'val_accuracy', maxTrials: 3, seed: 4, ...where };
    const controller = new AbortController();
    let batches = 0;
    // Aborts during the second trial's first epoch (3 batches of 32 per epoch, 2 epochs a trial).
    const aborter = new (class extends Callback {
      override onTrainBatchEnd() {
        if (++batches === 8) controller.abort();
      }
    })();
    const first = new RandomSearch(options);
    await assert.rejects(
      first.search(x, y, {
        ...quiet,
        epochs: 2,
        callbacks: [aborter],
        signal: controller.signal,
      }),
      (e: Error) => e instanceof SearchInterrupted && /trials 1 were stopped/.test(e.message),
    );
    assert.equal(batches, 8, 'stopped after the batch during which it aborted');
    assert.deepEqual(
      first.results().map((t) => t.state),
      ['complete', 'interrupted'],
    );
    const interruptedParams = first.results()[1]!.params;
    first.close();
    const lines: string[] = [];
    const second = new RandomSearch(options);
    await second.search(x, y, { ...quiet, verbose: 1, log: (l) => lines.push(l), epochs: 2 });
    assert.match(lines[0]!, /trials 1 were interrupted and run again/);
    const trials = second.results();
    assert.deepEqual(
      trials.map((t) => [t.number, t.state, t.intermediate.length]),
      [
        [0, 'complete', 2],
        [1, 'complete', 2],
        [2, 'complete', 2],
      ],
    );
    assert.deepEqual(trials[1]!.params, interruptedParams);
    second.close();
  });
});

describe('executionsPerTrial', () => {
  it('trains each configuration N times from different seeds and scores the mean', async () => {
    const job = { number: 0, params: { units: 5, learningRate: 0.05 }, initialEpoch: 0, epochs: 2 };
    const curve = async (seed: number, executions?: number, checkpoint?: string) => {
      const logs: Record<string, number>[] = [];
      const outcome = await runTrial(
        { build, x, y, fit: quiet },
        {
          ...job,
          seed,
          ...(executions ? { executions } : {}),
          ...(checkpoint ? { checkpoint } : {}),
        },
        (_s, l) => {
          logs.push(l);
          return false;
        },
      );
      return { logs, outcome };
    };
    const a = await curve(11);
    const b = await curve((11 + 0x9e3779b1) >>> 0);
    const checkpoint = join(root, 'exec', 'trial-0.weights');
    mkdirSync(join(root, 'exec'));
    const mean = await curve(11, 2, checkpoint);
    assert.equal(mean.logs.length, 2);
    for (let i = 0; i < 2; i++)
      for (const k of ['loss', 'val_accuracy', 'val_loss'])
        assert.ok(
          Math.abs(mean.logs[i]![k]! - (a.logs[i]![k]! + b.logs[i]![k]!) / 2) < 1e-12,
          `epoch ${i} ${k}`,
        );
    assert.notEqual(a.logs[1]!['loss'], b.logs[1]!['loss']); // the seeds differ
    assert.deepEqual(mean.outcome.logs, mean.logs[1]);
    assert.ok(existsSync(checkpoint) && existsSync(executionPath(checkpoint, 1)));
    assert.equal(executionPath(checkpoint, 1), join(root, 'exec', 'trial-0.execution-1.weights'));

    // the tuner counts every execution against the budget and stores the mean curve
    const tuner = new RandomSearch({
      build,
      objective: 'val_accuracy',
      executionsPerTrial: 2,
      maxTotalEpochs: 9,
      seed: 2,
      ...place(),
    });
    await tuner.search(x, y, { ...quiet, epochs: 2 });
    const trials = tuner.results();
    assert.equal(trials.length, 2); // 2 trials x 2 executions x 2 epochs = 8; a third would be 12
    assert.equal(trials[0]!.intermediate.length, 2);
    assert.throws(
      () => new RandomSearch({ build, objective: 'loss', executionsPerTrial: 0, ...place() }),
      /executionsPerTrial must be a positive integer, got 0/,
    );
  });
});
