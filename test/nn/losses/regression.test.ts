import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BinaryCrossentropy } from '../../../src/nn/losses/binary-crossentropy.js';
import { CategoricalCrossentropy } from '../../../src/nn/losses/categorical-crossentropy.js';
import { getLoss, type LossName } from '../../../src/nn/losses/get-loss.js';
import { Huber } from '../../../src/nn/losses/huber.js';
import { MeanAbsoluteError } from '../../../src/nn/losses/mean-absolute-error.js';
import { MeanSquaredError } from '../../../src/nn/losses/mean-squared-error.js';
import { SparseCategoricalCrossentropy } from '../../../src/nn/losses/sparse-categorical-crossentropy.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';

const yTrue = tensor([
  [0, 1],
  [0, 0],
]);

describe('MeanSquaredError', () => {
  it('averages squared errors (Keras docs: 0.5)', () => {
    const yPred = tensor([
      [1, 1],
      [1, 0],
    ]);
    const mse = new MeanSquaredError();
    expectClose(mse.call(yTrue, yPred), [0.5, 0.5]);
    expectClose(mse.compute(yTrue, yPred), [0.5]);
    expectClose(mse.compute(yTrue, yPred, tensor([0.7, 0.3])), [0.25]);
    expectClose(mse.call(tensor([1, 2, 3]), tensor([1, 0, 4])), [0, 4, 1]);
    expectClose(mse.compute(tensor([3]), tensor([[1]])), [4]);
    assert.equal(mse.name, 'mean_squared_error');
  });

  it('keeps [batch, steps] per-sample losses and weights them per sample', () => {
    const p = rand([2, 3, 4], 1);
    const t = rand([2, 3, 4], 2);
    const mse = new MeanSquaredError();
    assert.deepEqual(mse.call(t, p).shape, [2, 3]);
    const per = mse.call(t, p).array() as number[][];
    const want = (2 * per[0]!.reduce((a, b) => a + b) + 0 * per[1]!.reduce((a, b) => a + b)) / 6;
    expectClose(mse.compute(t, p, tensor([2, 0])), [want], { atol: 1e-6 });
  });

  it('rejects mismatched shapes and weights', () => {
    assert.throws(
      () => new MeanSquaredError().compute(rand([4, 2]), rand([4, 3])),
      /mean_squared_error: yTrue shape \[4, 2\] does not match yPred shape \[4, 3\]/,
    );
    assert.throws(
      () => new MeanSquaredError().compute(rand([4, 2]), rand([4, 2]), tensor([1, 2, 3])),
      /mean_squared_error: sampleWeight shape \[3\] does not match the per-sample losses of shape \[4\]/,
    );
  });

  it('returns 0 for an empty batch', () => {
    expectClose(new MeanSquaredError().compute(rand([0, 3]), rand([0, 3])), [0]);
  });
});

describe('MeanAbsoluteError', () => {
  it('averages absolute errors (Keras docs: 0.5)', () => {
    const yPred = tensor([
      [1, 1],
      [1, 0],
    ]);
    expectClose(new MeanAbsoluteError().compute(yTrue, yPred), [0.5]);
    expectClose(new MeanAbsoluteError().call(tensor([[1, -2]]), tensor([[3, 2]])), [3]);
  });
});

describe('Huber', () => {
  it('is quadratic inside delta and linear beyond (Keras docs: 0.155)', () => {
    const yPred = tensor([
      [0.6, 0.4],
      [0.4, 0.6],
    ]);
    expectClose(new Huber().compute(yTrue, yPred), [0.155], { atol: 1e-6 });
    expectClose(new Huber().call(tensor([0, 0]), tensor([3, -0.5])), [2.5, 0.125]);
    expectClose(new Huber({ delta: 2 }).call(tensor([0]), tensor([3])), [2 * (3 - 1)]);
    assert.equal(new Huber().name, 'huber_loss');
    assert.throws(() => new Huber({ delta: 0 }), /Huber: delta must be > 0, got 0/);
  });
});

describe('regression loss gradients', () => {
  // Points away from the kinks (|e| = 0 for MAE, |e| = delta for Huber).
  const t = tensor([
    [0.1, -0.4, 1.2],
    [2, 0, -1],
  ]);
  const p = tensor([
    [0.6, -1.9, 1.5],
    [0.2, 0.7, 1.6],
  ]);
  const w = tensor([0.3, 1.5]);
  for (const loss of [
    new MeanSquaredError(),
    new MeanAbsoluteError(),
    new Huber(),
    new Huber({ delta: 0.5 }),
  ]) {
    it(`${loss.name} ${JSON.stringify(loss.getConfig())}`, () => {
      expectGradOk((x) => loss.compute(t, x), [p]);
      expectGradOk((x) => loss.compute(t, x, w), [p]);
    });
  }
});

describe('getLoss', () => {
  it('resolves Keras names and camelCase spellings', () => {
    const cases: [string, new () => object][] = [
      ['categorical_crossentropy', CategoricalCrossentropy],
      ['categoricalCrossentropy', CategoricalCrossentropy],
      ['sparse_categorical_crossentropy', SparseCategoricalCrossentropy],
      ['sparseCategoricalCrossentropy', SparseCategoricalCrossentropy],
      ['binary_crossentropy', BinaryCrossentropy],
      ['binaryCrossentropy', BinaryCrossentropy],
      ['mse', MeanSquaredError],
      ['mean_squared_error', MeanSquaredError],
      ['meanSquaredError', MeanSquaredError],
      ['mae', MeanAbsoluteError],
      ['mean_absolute_error', MeanAbsoluteError],
      ['meanAbsoluteError', MeanAbsoluteError],
      ['huber', Huber],
      ['huber_loss', Huber],
    ];
    for (const [name, cls] of cases) assert.ok(getLoss(name as LossName) instanceof cls, name);
    const own = new Huber({ delta: 3 });
    assert.equal(getLoss(own), own);
  });

  it('rejects unknown names, listing the known ones', () => {
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => getLoss('categorical_crossentropyy'),
      (e: Error) =>
        e.message ===
        "Unknown loss 'categorical_crossentropyy'. Known: binary_crossentropy, binary_focal_crossentropy, categorical_crossentropy, categorical_focal_crossentropy, categorical_hinge, cosine_similarity, ctc, hinge, huber, kl_divergence, kld, kullback_leibler_divergence, log_cosh, logcosh, mae, mape, mean_absolute_error, mean_absolute_percentage_error, mean_squared_error, mean_squared_logarithmic_error, mse, msle, poisson, sparse_categorical_crossentropy, squared_hinge",
    );
  });
});
