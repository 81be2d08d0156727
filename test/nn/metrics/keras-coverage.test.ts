// Issue 20: the Keras 3 metrics Keel lacked, against numpy values from their definitions
// (fixtures/metrics.py, run with /usr/bin/python3).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import {
  AUC,
  deserializeMetric,
  F1Score,
  FBetaScore,
  getMetric,
  MeanIoU,
  type Metric,
  Precision,
  PrecisionAtRecall,
  R2Score,
  Recall,
  RecallAtPrecision,
  RootMeanSquaredError,
  SensitivityAtSpecificity,
  SparseTopKCategoricalAccuracy,
  SpecificityAtSensitivity,
  TopKCategoricalAccuracy,
} from '../../../src/nn/metrics/index.js';
import { tensor } from '../../../src/tensor/create.js';

const F: any = JSON.parse(readFileSync(new URL('fixtures/metrics.json', import.meta.url), 'utf8'));

const close = (a: number, b: number, tol = 1e-5, what = '') =>
  assert.ok(Math.abs(a - b) <= tol * (1 + Math.abs(b)), `${what}: ${a} vs expected ${b}`);

/** Feeds the data in two batches (state must accumulate) and returns the result. */
function twoBatches(
  m: Metric,
  t: number[][] | number[],
  p: number[][] | number[],
  w?: number[],
): number {
  feed(m, t, p, w);
  return m.result();
}

/** Feeds the data in two batches. */
function feed(m: Metric, t: number[][] | number[], p: number[][] | number[], w?: number[]): void {
  const h = Math.ceil(t.length / 2);
  const part = (a: number[][] | number[], lo: number, hi: number) =>
    tensor(a.slice(lo, hi) as number[][]);
  m.updateState(part(t, 0, h), part(p, 0, h), w ? tensor(w.slice(0, h)) : undefined);
  if (h < t.length)
    m.updateState(part(t, h, t.length), part(p, h, t.length), w ? tensor(w.slice(h)) : undefined);
}

/** The config round trip through deserializeMetric gives the same class and result. */
function roundTrip(m: Metric, feed: (m: Metric) => number): void {
  const back = deserializeMetric({
    className: (m.constructor as unknown as { className: string }).className,
    config: JSON.parse(JSON.stringify(m.getConfig())),
  });
  assert.equal(back.constructor, m.constructor);
  assert.deepEqual(back.getConfig(), m.getConfig());
  m.resetState();
  close(feed(back), feed(m), 1e-12, 'round trip');
}

describe('AUC (Keras threshold buckets)', () => {
  for (const c of F.auc) {
    it(`${c.name}: ROC and PR with every summation method, at 200 and 7 thresholds`, () => {
      for (const r of c.results) {
        const m = new AUC({
          numThresholds: r.numThresholds,
          curve: r.curve,
          summationMethod: r.summationMethod,
        });
        const v = twoBatches(m, c.yTrue, c.yPred, c.sampleWeight);
        close(v, r.value, 1e-5, `${r.curve} ${r.summationMethod} ${r.numThresholds}`);
      }
      // The exact trapezoid over all distinct scores bounds the 200-threshold approximation.
      const roc = c.results.find(
        (r: { numThresholds: number; curve: string; summationMethod: string }) =>
          r.numThresholds === 200 && r.curve === 'ROC' && r.summationMethod === 'interpolation',
      );
      if (c.name !== 'all_positive' && c.name !== 'all_negative')
        assert.ok(
          Math.abs(roc.value - c.exactRocAuc) < 0.02,
          `${roc.value} vs exact ${c.exactRocAuc}`,
        );
    });
  }

  it('perfect predictions give 1, and the state resets', () => {
    const m = new AUC();
    m.updateState(tensor([0, 0, 1, 1]), tensor([0.1, 0.2, 0.8, 0.9]));
    close(m.result(), 1);
    m.resetState();
    assert.equal(m.result(), 0);
  });

  it('explicit uneven thresholds compare predictions directly', () => {
    const e = F.aucExplicit;
    close(twoBatches(new AUC({ thresholds: e.thresholds }), e.yTrue, e.yPred), e.roc);
    close(twoBatches(new AUC({ thresholds: e.thresholds, curve: 'PR' }), e.yTrue, e.yPred), e.pr);
    assert.equal(new AUC({ thresholds: e.thresholds }).numThresholds, 6);
  });

  it('multiLabel averages per-label curves; otherwise entries are flattened', () => {
    const e = F.aucMultiLabel;
    close(twoBatches(new AUC({ multiLabel: true }), e.yTrue, e.yPred), e.value);
    close(twoBatches(new AUC({ multiLabel: true, numLabels: 3 }), e.yTrue, e.yPred), e.value);
    close(twoBatches(new AUC(), e.yTrue, e.yPred), e.flat);
    assert.throws(() => new AUC({ numLabels: 3 }), /numLabels is needed only when multiLabel/);
  });

  it('fromLogits applies a sigmoid', () => {
    const e = F.aucLogits;
    close(twoBatches(new AUC({ fromLogits: true }), e.yTrue, e.yPred), e.value);
  });

  it('rejects bad options naming them, and round-trips its config', () => {
    assert.throws(
      () => new AUC({ numThresholds: 1 }),
      /AUC: numThresholds must be an integer > 1, got 1/,
    );
    assert.throws(() => new AUC({ curve: 'XY' as 'ROC' }), /AUC: curve must be 'ROC' or 'PR'/);
    assert.throws(() => new AUC({ summationMethod: 'mid' as 'minoring' }), /AUC: summationMethod/);
    const c = F.auc[1];
    roundTrip(new AUC({ curve: 'PR', numThresholds: 50 }), (m) =>
      twoBatches(m, c.yTrue, c.yPred, c.sampleWeight),
    );
    roundTrip(new AUC({ thresholds: [0.2, 0.7] }), (m) => twoBatches(m, c.yTrue, c.yPred));
  });

  it('state values add up across processes', () => {
    const c = F.auc[0];
    const a = new AUC();
    const b = new AUC();
    a.updateState(tensor(c.yTrue.slice(0, 30)), tensor(c.yPred.slice(0, 30)));
    b.updateState(tensor(c.yTrue.slice(30)), tensor(c.yPred.slice(30)));
    const sum = a.stateValues().map((v, i) => v + b.stateValues()[i]!);
    const whole = new AUC();
    whole.setStateValues(sum);
    close(whole.result(), c.results[0].value);
  });
});

describe('PrecisionAtRecall, RecallAtPrecision, SensitivityAtSpecificity, SpecificityAtSensitivity', () => {
  const classes = {
    PrecisionAtRecall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
  };
  const arg = {
    PrecisionAtRecall: 'recall',
    RecallAtPrecision: 'precision',
    SensitivityAtSpecificity: 'specificity',
    SpecificityAtSensitivity: 'sensitivity',
  } as const;
  for (const [name, cls] of Object.entries(classes)) {
    it(`${name} matches numpy on six inputs at 200 thresholds and at 1`, () => {
      for (const point of F.atPoint) {
        const c = { ...F.auc[point.input], ...point };
        const m = new (cls as any)({
          [arg[name as keyof typeof arg]]: c.value,
          numThresholds: c.numThresholds,
        });
        close(
          twoBatches(m, c.yTrue, c.yPred, c.sampleWeight),
          c[name],
          1e-6,
          `${c.name} ${c.numThresholds} ${c.value}`,
        );
      }
      const m = new (cls as any)({
        [arg[name as keyof typeof arg]]: 0.5,
        numThresholds: 20,
        classId: 1,
      });
      const c = F.auc[1];
      roundTrip(m, (x) =>
        twoBatches(
          x,
          c.yTrue.map((v: number) => [1 - v, v]),
          c.yPred.map((v: number) => [1 - v, v]),
        ),
      );
      assert.throws(
        () => new (cls as any)({ [arg[name as keyof typeof arg]]: 1.5 }),
        new RegExp(`${name}: ${arg[name as keyof typeof arg]} must be in \\[0, 1\\], got 1.5`),
      );
    });
  }

  it('classId reads one column', () => {
    const e = F.atPointClassId;
    close(
      twoBatches(new PrecisionAtRecall({ recall: e.recall, classId: e.classId }), e.yTrue, e.yPred),
      e.value,
    );
    assert.throws(
      () =>
        new PrecisionAtRecall({ recall: 0.5, classId: 3 }).updateState(
          tensor(e.yTrue),
          tensor(e.yPred),
        ),
      /classId 3 needs yPred \[batch, classes\] with more than 3 classes, got \[20, 3\]/,
    );
  });
});

describe('TopKCategoricalAccuracy and SparseTopKCategoricalAccuracy', () => {
  const e = F.topK;
  const oneHot = e.labels.map((l: number) =>
    Array.from({ length: 6 }, (_, c) => (c === l ? 1 : 0)),
  );
  it('count a label in the top k, ties at the boundary included (TF in_top_k)', () => {
    for (const r of e.results) {
      close(
        twoBatches(new TopKCategoricalAccuracy({ k: r.k }), oneHot, e.yPred),
        r.value,
        1e-7,
        `k=${r.k}`,
      );
      close(
        twoBatches(new SparseTopKCategoricalAccuracy({ k: r.k }), e.labels, e.yPred),
        r.value,
        1e-7,
        `sparse k=${r.k}`,
      );
      const col = e.labels.map((l: number) => [l]);
      close(
        twoBatches(new SparseTopKCategoricalAccuracy({ k: r.k }), col, e.yPred),
        r.value,
        1e-7,
        `[batch, 1] k=${r.k}`,
      );
    }
    close(
      twoBatches(new TopKCategoricalAccuracy({ k: 3 }), oneHot, e.yPred, e.weights),
      e.weightedK3,
    );
    close(
      twoBatches(new SparseTopKCategoricalAccuracy({ k: 3 }), e.labels, e.yPred, e.weights),
      e.weightedK3,
    );
  });

  it('default k is 5, names as Keras, config round trip, bad k rejected', () => {
    assert.equal(new TopKCategoricalAccuracy().k, 5);
    assert.equal(new SparseTopKCategoricalAccuracy().name, 'sparse_top_k_categorical_accuracy');
    roundTrip(new SparseTopKCategoricalAccuracy({ k: 2 }), (m) => twoBatches(m, e.labels, e.yPred));
    roundTrip(new TopKCategoricalAccuracy({ k: 2 }), (m) => twoBatches(m, oneHot, e.yPred));
    assert.throws(
      () => new TopKCategoricalAccuracy({ k: 0 }),
      /TopKCategoricalAccuracy: k must be a positive integer, got 0/,
    );
    assert.throws(
      () => new SparseTopKCategoricalAccuracy().updateState(tensor([1, 2]), tensor([[0.1, 0.9]])),
      /does not match yPred shape/,
    );
  });
});

describe('FBetaScore and F1Score', () => {
  it('match numpy for every average, beta 1 and 2, argmax and 0.5 thresholds', () => {
    for (const fc of F.fbeta) {
      const c = { ...F.fbetaInputs[fc.input], ...fc };
      const args = { average: c.average, threshold: c.threshold ?? undefined };
      const m = c.beta === 1 ? new F1Score(args) : new FBetaScore({ ...args, beta: c.beta });
      const what = `${c.name} beta=${c.beta} threshold=${c.threshold} average=${c.average}`;
      if (c.average === null) {
        feed(m, c.yTrue, c.yPred);
        const got = (m as FBetaScore).resultPerClass();
        assert.equal(got.length, c.value.length, what);
        got.forEach((v, i) => {
          close(v, c.value[i], 1e-5, what);
        });
        assert.throws(() => m.result(), /average is null, so the result is one score per class/);
      } else close(twoBatches(m, c.yTrue, c.yPred), c.value, 1e-5, what);
    }
  });

  it('weights samples, rejects bad options, round-trips its config', () => {
    const e = F.fbetaWeighted;
    close(
      twoBatches(
        new F1Score({ average: 'macro', threshold: 0.5 }),
        e.yTrue,
        e.yPred,
        e.sampleWeight,
      ),
      e.value,
    );
    assert.throws(() => new FBetaScore({ beta: 0 }), /FBetaScore: beta must be > 0, got 0/);
    assert.throws(
      () => new F1Score({ threshold: 1.5 }),
      /F1Score: threshold must be in \(0, 1\], got 1.5/,
    );
    assert.throws(() => new F1Score({ average: 'mean' as 'macro' }), /F1Score: average must be/);
    assert.throws(
      () => new F1Score({ average: 'micro' }).updateState(tensor([1, 0]), tensor([0.2, 0.3])),
      /expected yTrue and yPred of the same shape \[batch, classes\], got yTrue \[2\]/,
    );
    roundTrip(new FBetaScore({ beta: 2, average: 'weighted' }), (m) =>
      twoBatches(m, e.yTrue, e.yPred),
    );
    roundTrip(new F1Score({ average: 'micro', threshold: 0.3 }), (m) =>
      twoBatches(m, e.yTrue, e.yPred),
    );
    assert.equal(new F1Score().name, 'f1_score');
    assert.equal(new F1Score().getConfig()['beta'], undefined);
  });
});

describe('RootMeanSquaredError and R2Score', () => {
  it('RootMeanSquaredError is the root of the running (weighted) mean', () => {
    const e = F.rmse;
    close(twoBatches(new RootMeanSquaredError(), e.yTrue, e.yPred), e.value);
    close(twoBatches(new RootMeanSquaredError(), e.yTrue, e.yPred, e.sampleWeight), e.weighted);
    roundTrip(new RootMeanSquaredError(), (m) => twoBatches(m, e.yTrue, e.yPred));
  });

  it('R2Score matches numpy for each aggregation and numRegressors (adjusted, or falling back)', () => {
    for (const rc of F.r2) {
      const c = { ...F.r2Inputs[rc.input], ...rc };
      const m = new R2Score({
        classAggregation: c.classAggregation,
        numRegressors: c.numRegressors,
      });
      const what = `${c.name} ${c.classAggregation} p=${c.numRegressors}`;
      if (c.classAggregation === null) {
        feed(m, c.yTrue, c.yPred, c.sampleWeight ?? undefined);
        m.resultPerClass().forEach((v, i) => {
          if (c.value[i] === null) assert.ok(Number.isNaN(v), what);
          else close(v, c.value[i], 1e-5, what);
        });
        assert.throws(() => m.result(), /classAggregation is null/);
      } else {
        const v = twoBatches(m, c.yTrue, c.yPred, c.sampleWeight ?? undefined);
        if (c.value === null) assert.ok(Number.isNaN(v), what);
        else close(v, c.value, 1e-5, what);
      }
    }
  });

  it('R2Score rejects bad options and shapes, and round-trips its config', () => {
    assert.throws(
      () => new R2Score({ numRegressors: -1 }),
      /R2Score: numRegressors must be an integer >= 0, got -1/,
    );
    assert.throws(
      () => new R2Score({ classAggregation: 'x' as 'uniform_average' }),
      /R2Score: classAggregation/,
    );
    assert.throws(
      () => new R2Score().updateState(tensor([[[1]]]), tensor([[[1]]])),
      /expected \[batch, outputs\] inputs/,
    );
    const c = F.r2Inputs[0];
    roundTrip(
      new R2Score({ classAggregation: 'variance_weighted_average', numRegressors: 2 }),
      (m) => twoBatches(m, c.yTrue, c.yPred),
    );
  });
});

describe('MeanIoU', () => {
  for (const c of F.meanIoU) {
    it(`${c.name}: matches numpy`, () => {
      const m = new MeanIoU({ numClasses: c.numClasses, ignoreClass: c.ignoreClass ?? undefined });
      close(twoBatches(m, c.yTrue, c.yPred), c.value, 1e-6);
    });
  }

  it('takes the argmax of dense inputs, weights entries, round-trips, rejects mismatches', () => {
    const e = F.meanIoUDense;
    const m = new MeanIoU({ numClasses: 3, sparseYTrue: false, sparseYPred: false });
    close(twoBatches(m, e.yTrue, e.yPred, e.sampleWeight), e.value, 1e-6);
    assert.equal(m.name, 'mean_io_u');
    roundTrip(m, (x) => twoBatches(x, e.yTrue, e.yPred, e.sampleWeight));
    assert.throws(
      () => new MeanIoU({ numClasses: 0 }),
      /MeanIoU: numClasses must be a positive integer, got 0/,
    );
    assert.throws(
      () => new MeanIoU({ numClasses: 2 }).updateState(tensor([0, 1]), tensor([0, 1, 1])),
      /yTrue \[2\] and yPred \[3\] hold 2 and 3 class ids/,
    );
  });
});

describe('getMetric knows the new names', () => {
  it('resolves Keras names and spellings to the right classes', () => {
    const cases: [string, unknown][] = [
      ['auc', AUC],
      ['AUC', AUC],
      ['top_k_categorical_accuracy', TopKCategoricalAccuracy],
      ['sparseTopKCategoricalAccuracy', SparseTopKCategoricalAccuracy],
      ['root_mean_squared_error', RootMeanSquaredError],
      ['r2_score', R2Score],
    ];
    for (const [name, cls] of cases) {
      const m = getMetric(name as never);
      assert.equal(m.constructor, cls, name);
      assert.equal(m.name, name);
    }
  });
});

describe('state values add up across processes (distributed training sums them)', () => {
  const ml = F.aucMultiLabel;
  const cases: [string, () => Metric, number[][], number[][]][] = [
    ['AUC multiLabel', () => new AUC({ multiLabel: true }), ml.yTrue, ml.yPred],
    ['F1Score', () => new F1Score({ average: 'weighted' }), ml.yTrue, ml.yPred],
    ['R2Score', () => new R2Score({ numRegressors: 2 }), ml.yTrue, ml.yPred],
    [
      'MeanIoU',
      () => new MeanIoU({ numClasses: 3, sparseYTrue: false, sparseYPred: false }),
      ml.yTrue,
      ml.yPred,
    ],
    ['RecallAtPrecision', () => new RecallAtPrecision({ precision: 0.6 }), ml.yTrue, ml.yPred],
    ['TopKCategoricalAccuracy', () => new TopKCategoricalAccuracy({ k: 2 }), ml.yTrue, ml.yPred],
  ];
  for (const [name, make, t, p] of cases) {
    it(`${name}: two halves summed give the whole; the empty state round-trips`, () => {
      const a = make();
      const b = make();
      const empty = make().stateValues();
      a.updateState(tensor(t.slice(0, 8)), tensor(p.slice(0, 8)));
      b.updateState(tensor(t.slice(8)), tensor(p.slice(8)));
      const sum = a.stateValues().map((v, i) => v + b.stateValues()[i]!);
      const whole = make();
      whole.setStateValues(sum);
      close(whole.result(), twoBatches(make(), t, p), 1e-12, name);
      whole.setStateValues(empty);
      assert.deepEqual(whole.stateValues(), empty);
    });
  }
});

describe('Precision and Recall at several thresholds', () => {
  it('give one value per threshold, matching numpy; result() asks for resultPerThreshold()', () => {
    const e = F.precisionRecall;
    const c = F.auc[e.input];
    for (const [cls, key] of [
      [Precision, 'precision'],
      [Recall, 'recall'],
    ] as const) {
      const m = new cls({ thresholds: e.thresholds });
      feed(m, c.yTrue, c.yPred, c.sampleWeight);
      m.resultPerThreshold().forEach((v, i) => {
        close(v, e[key][i], 1e-6, `${key} at ${e.thresholds[i]}`);
      });
      assert.throws(() => m.result(), /there are 3 thresholds, so one result each/);
      const one = new cls({ thresholds: [0.5] });
      close(twoBatches(one, c.yTrue, c.yPred, c.sampleWeight), e[key][1], 1e-6, key);
      roundTrip(m, (x) => {
        feed(x, c.yTrue, c.yPred);
        return (x as InstanceType<typeof cls>).resultPerThreshold()[2]!;
      });
    }
    assert.throws(
      () => new Precision({ thresholds: [0.5, 1.2] }),
      /precision: thresholds must be in \[0, 1\], got \[0.5, 1.2\]/,
    );
  });
});
