import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryCrossentropy } from '../../../src/nn/losses/binary-crossentropy.js';
import { CategoricalCrossentropy } from '../../../src/nn/losses/categorical-crossentropy.js';
import { MeanSquaredError as MseLoss } from '../../../src/nn/losses/mean-squared-error.js';
import { SparseCategoricalCrossentropy } from '../../../src/nn/losses/sparse-categorical-crossentropy.js';
import { Accuracy } from '../../../src/nn/metrics/accuracy.js';
import { BinaryAccuracy } from '../../../src/nn/metrics/binary-accuracy.js';
import { CategoricalAccuracy } from '../../../src/nn/metrics/categorical-accuracy.js';
import { getMetric } from '../../../src/nn/metrics/get-metric.js';
import { Mean } from '../../../src/nn/metrics/mean.js';
import { MeanAbsoluteError } from '../../../src/nn/metrics/mean-absolute-error.js';
import { MeanSquaredError } from '../../../src/nn/metrics/mean-squared-error.js';
import { Precision } from '../../../src/nn/metrics/precision.js';
import { Recall } from '../../../src/nn/metrics/recall.js';
import { SparseCategoricalAccuracy } from '../../../src/nn/metrics/sparse-categorical-accuracy.js';
import { tensor } from '../../../src/tensor/create.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-6, `${a} vs expected ${b}`);

describe('Mean', () => {
  it('keeps a running weighted mean over batches', () => {
    const m = new Mean();
    m.updateState(tensor([1, 3]));
    close(m.result(), 2);
    m.updateState(tensor([10]), tensor([2]));
    close(m.result(), (1 + 3 + 20) / 4);
    m.updateState(5, 4);
    close(m.result(), (24 + 20) / 8);
    m.resetState();
    assert.equal(m.result(), 0);
    assert.equal(m.name, 'mean');
  });
});

describe('accuracy metrics', () => {
  it('Accuracy counts exact matches', () => {
    const m = new Accuracy();
    m.updateState(tensor([1, 2, 3, 4]), tensor([0, 2, 3, 4]));
    close(m.result(), 0.75);
    m.updateState(tensor([[1], [2]]), tensor([1, 0]));
    close(m.result(), 4 / 6);
  });

  it('BinaryAccuracy thresholds predictions (strictly greater)', () => {
    const m = new BinaryAccuracy();
    m.updateState(tensor([[1], [1], [0], [0]]), tensor([[0.98], [0.5], [0.1], [0.6]]));
    close(m.result(), 0.5);
    const t = new BinaryAccuracy({ threshold: 0.05 });
    t.updateState(tensor([1, 0]), tensor([[0.1], [0.01]]));
    close(t.result(), 1);
  });

  it('CategoricalAccuracy compares argmaxes (Keras docs: 0.5, weighted 0.3)', () => {
    const yTrue = tensor([
      [0, 0, 1],
      [0, 1, 0],
    ]);
    const yPred = tensor([
      [0.1, 0.9, 0.8],
      [0.05, 0.95, 0],
    ]);
    const m = new CategoricalAccuracy();
    m.updateState(yTrue, yPred);
    close(m.result(), 0.5);
    m.resetState();
    m.updateState(yTrue, yPred, tensor([0.7, 0.3]));
    close(m.result(), 0.3);
  });

  it('SparseCategoricalAccuracy compares labels with argmax (Keras docs: 0.5, weighted 0.3)', () => {
    const yPred = tensor([
      [0.1, 0.6, 0.3],
      [0.05, 0.95, 0],
    ]);
    const m = new SparseCategoricalAccuracy();
    m.updateState(tensor([2, 1]), yPred);
    close(m.result(), 0.5);
    m.resetState();
    m.updateState(tensor([[2], [1]]), yPred, tensor([0.7, 0.3]));
    close(m.result(), 0.3);
    m.resetState();
    m.updateState(tensor([2, 1], undefined, 'int32'), yPred);
    close(m.result(), 0.5);
    assert.throws(
      () => m.updateState(tensor([[0, 0, 1]]), tensor([[0.1, 0.2, 0.7]])),
      /sparse_categorical_accuracy: yTrue shape \[1, 3\] does not match yPred shape \[1, 3\]: expected integer labels of shape \[1\]/,
    );
  });

  it('averages per sample first for sequences ([batch, steps, classes])', () => {
    const m = new SparseCategoricalAccuracy();
    const yPred = tensor([
      [
        [0.9, 0.1],
        [0.2, 0.8],
      ],
      [
        [0.6, 0.4],
        [0.3, 0.7],
      ],
    ]);
    m.updateState(
      tensor([
        [0, 0],
        [0, 1],
      ]),
      yPred,
      tensor([1, 3]),
    );
    close(m.result(), (1 * 0.5 + 3 * 1) / 4);
  });

  it('rejects mismatched shapes and weights', () => {
    assert.throws(
      () => new CategoricalAccuracy().updateState(tensor([[0, 1]]), tensor([[0.1, 0.2, 0.7]])),
      /categorical_accuracy: yTrue shape \[1, 2\] does not match yPred shape \[1, 3\]/,
    );
    assert.throws(
      () => new BinaryAccuracy().updateState(tensor([1, 0]), tensor([0.6, 0.2]), tensor([1, 2, 3])),
      /binary_accuracy: sampleWeight shape \[3\] does not match a batch of 2 samples/,
    );
  });
});

describe('getMetric', () => {
  const cases: [string, object, new (...a: never[]) => object][] = [
    [
      'binary_crossentropy',
      { loss: new BinaryCrossentropy(), outputShape: [null, 3] },
      BinaryAccuracy,
    ],
    ['last axis 1', { loss: new MseLoss(), outputShape: [null, 1] }, BinaryAccuracy],
    [
      'sparse_categorical_crossentropy',
      { loss: new SparseCategoricalCrossentropy({ fromLogits: true }), outputShape: [null, 10] },
      SparseCategoricalAccuracy,
    ],
    [
      'categorical_crossentropy',
      { loss: new CategoricalCrossentropy(), outputShape: [null, 10] },
      CategoricalAccuracy,
    ],
    ['no context', {}, CategoricalAccuracy],
  ];
  for (const [what, context, cls] of cases) {
    it(`'accuracy' with ${what} picks ${cls.name} and keeps its name`, () => {
      const m = getMetric('accuracy', context);
      assert.ok(m instanceof cls);
      assert.equal(m.name, 'accuracy');
      const acc = getMetric('acc', context);
      assert.ok(acc instanceof cls);
      assert.equal(acc.name, 'acc');
    });
  }

  it('resolves other names, named as written', () => {
    assert.ok(getMetric('precision') instanceof Precision);
    assert.ok(getMetric('recall') instanceof Recall);
    const mse = getMetric('mse');
    assert.ok(mse instanceof MeanSquaredError);
    assert.equal(mse.name, 'mse');
    assert.ok(getMetric('mae') instanceof MeanAbsoluteError);
    assert.ok(getMetric('mean_absolute_error') instanceof MeanAbsoluteError);
    assert.ok(getMetric('sparseCategoricalAccuracy') instanceof SparseCategoricalAccuracy);
    const own = new Recall({ thresholds: 0.3 });
    assert.equal(getMetric(own), own);
  });

  it('rejects unknown names', () => {
    assert.throws(
      // @ts-expect-error: not a metric name (rejected at run time too)
      () => getMetric('f1'),
      (e: Error) =>
        e.message ===
        "Unknown metric 'f1'. Known: acc, accuracy, auc, binary_accuracy, categorical_accuracy, mae, mean_absolute_error, mean_squared_error, mse, precision, r2_score, recall, root_mean_squared_error, sparse_categorical_accuracy, sparse_top_k_categorical_accuracy, top_k_categorical_accuracy",
    );
  });
});

describe('Precision and Recall', () => {
  // Predictions > 0.5: [1, 0, 1, 1, 0]; labels [1, 1, 0, 1, 0] → tp 2, fp 1, fn 1, tn 1.
  const yTrue = tensor([1, 1, 0, 1, 0]);
  const yPred = tensor([0.9, 0.2, 0.7, 0.51, 0.5]);

  it('count true/false positives at the threshold', () => {
    const p = new Precision();
    const r = new Recall();
    p.updateState(yTrue, yPred);
    r.updateState(yTrue, yPred);
    close(p.result(), 2 / 3);
    close(r.result(), 2 / 3);
    const strict = new Precision({ thresholds: 0.8 });
    strict.updateState(yTrue, yPred);
    close(strict.result(), 1);
    const lenient = new Recall({ thresholds: 0.1 });
    lenient.updateState(yTrue, yPred);
    close(lenient.result(), 1);
  });

  it('weight samples and accumulate over batches', () => {
    const p = new Precision();
    p.updateState(yTrue, yPred, tensor([1, 1, 3, 1, 1])); // tp 2, fp 3
    close(p.result(), 2 / 5);
    p.updateState(tensor([1]), tensor([0.9])); // tp 3
    close(p.result(), 3 / 6);
    const r = new Recall();
    r.updateState(yTrue, yPred, tensor([1, 4, 1, 1, 1])); // tp 2, fn 4
    close(r.result(), 2 / 6);
  });

  it('restrict to one class with classId', () => {
    const t = tensor([
      [1, 0],
      [0, 1],
      [1, 1],
    ]);
    const q = tensor([
      [0.2, 0.9],
      [0.7, 0.8],
      [0.9, 0.1],
    ]);
    const p0 = new Precision({ classId: 0 }); // column 0: pred [0, 1, 1], true [1, 0, 1]
    p0.updateState(t, q);
    close(p0.result(), 0.5);
    const r1 = new Recall({ classId: 1 }); // column 1: pred [1, 1, 0], true [0, 1, 1]
    r1.updateState(t, q);
    close(r1.result(), 0.5);
    assert.throws(
      () => new Precision({ classId: 2 }).updateState(t, q),
      /precision: classId 2 is out of range for 2 classes/,
    );
  });

  it('are 0 before any positive and reset', () => {
    const p = new Precision();
    assert.equal(p.result(), 0);
    p.updateState(yTrue, yPred);
    p.resetState();
    assert.equal(p.result(), 0);
  });
});

describe('error metrics', () => {
  it('MeanSquaredError and MeanAbsoluteError average per sample then over samples', () => {
    const yTrue = tensor([
      [0, 1],
      [0, 0],
    ]);
    const yPred = tensor([
      [1, 1],
      [1, 0],
    ]);
    const mse = new MeanSquaredError();
    mse.updateState(yTrue, yPred);
    close(mse.result(), 0.5);
    mse.updateState(tensor([[0, 0]]), tensor([[2, 2]]), tensor([2]));
    close(mse.result(), (0.5 + 0.5 + 2 * 4) / 4);
    const mae = new MeanAbsoluteError();
    mae.updateState(yTrue, yPred, tensor([0, 1]));
    close(mae.result(), 0.5);
    mae.resetState();
    assert.equal(mae.result(), 0);
  });
});
