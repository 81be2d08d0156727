import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/backends/index.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { tensor, zeros } from '../../src/tensor/create.js';

function classifier(): Sequential {
  return new Sequential([new Dense(10, { inputShape: [4], activation: 'softmax' })], {
    name: 'clf',
  });
}

const X = zeros([6, 4]);
const OPTS = { verbose: 0 } as const;

describe('fit/evaluate input validation', () => {
  it('requires compile first', async () => {
    await assert.rejects(
      classifier().fit(X, zeros([6, 10]), OPTS),
      /fit: model 'clf' must be compiled first/,
    );
    await assert.rejects(
      classifier().evaluate(X, zeros([6, 10]), OPTS),
      /evaluate: model 'clf' must be compiled/,
    );
    assert.throws(
      () => classifier().trainOnBatch(X, zeros([6, 10])),
      /trainOnBatch: model 'clf' must be compiled/,
    );
  });

  it('lets unknown optimizer, loss and metric names reach the user', () => {
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => classifier().compile({ optimizer: 'adamm', loss: 'mse' }),
      /Unknown optimizer 'adamm'/,
    );
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => classifier().compile({ optimizer: 'adam', loss: 'msee' }),
      /Unknown loss 'msee'/,
    );
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => classifier().compile({ optimizer: 'adam', loss: 'mse', metrics: ['acuracy'] }),
      /acuracy/,
    );
    assert.throws(() => classifier().compile({ loss: 'mse' } as never), /'optimizer' is required/);
  });

  it('names both sample counts when x and y differ', async () => {
    const m = classifier();
    m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    await assert.rejects(m.fit(X, zeros([5, 10]), OPTS), /fit: x has 6 samples but y has 5/);
    await assert.rejects(
      m.fit(X, zeros([6, 10]), { ...OPTS, sampleWeight: [1, 2] }),
      /sampleWeight must have shape \[6\]/,
    );
  });

  it('explains integer labels given to categorical_crossentropy, and one-hot given to sparse', async () => {
    const m = classifier();
    m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    await assert.rejects(
      m.fit(X, tensor([0, 1, 2, 3, 4, 5]), OPTS),
      /y has shape \[6\] \(integer class labels\?\), but loss 'categorical_crossentropy' expects one-hot targets of shape \[6, 10\].*use loss 'sparse_categorical_crossentropy'.*toCategorical\(y, 10\)/,
    );
    m.compile({ optimizer: 'sgd', loss: 'sparse_categorical_crossentropy' });
    await assert.rejects(
      m.fit(X, zeros([6, 10]), OPTS),
      /y looks one-hot, so use loss 'categorical_crossentropy'/,
    );
    await assert.rejects(
      m.fit(X, tensor([0, 1, 2, 3, 4, 10]), OPTS),
      /label 10 at sample 5; sparse labels must be integers in \[0, 10\)/,
    );
    await m.fit(X, tensor([0, 1, 2, 3, 4, 9]), OPTS);
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await assert.rejects(
      m.fit(X, zeros([6, 3]), OPTS),
      /y has shape \[6, 3\], which does not match the model output .* \(None, 10\)/,
    );
  });

  it('reports NaN or Infinity with the argument and the first bad index', async () => {
    const m = classifier();
    m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    const bad = new Float32Array(24);
    bad[9] = Number.NaN;
    await assert.rejects(
      m.fit(tensor(bad, [6, 4]), zeros([6, 10]), OPTS),
      /fit: x contains NaN at index \[2, 1\] \(sample 2\)/,
    );
    const y = new Float32Array(60);
    y[35] = Number.POSITIVE_INFINITY;
    await assert.rejects(
      m.fit(X, tensor(y, [6, 10]), OPTS),
      /fit: y contains Infinity at index \[3, 5\]/,
    );
    await assert.rejects(
      m.fit(X, zeros([6, 10]), { ...OPTS, validationData: [tensor(bad, [6, 4]), zeros([6, 10])] }),
      /fit \(validationData\): x contains NaN/,
    );
  });

  it('rejects empty data and bad options', async () => {
    const m = classifier();
    m.compile({ optimizer: 'sgd', loss: 'categorical_crossentropy' });
    await assert.rejects(
      m.fit(zeros([0, 4]), zeros([0, 10]), OPTS),
      /fit: the data is empty \(0 samples\)/,
    );
    await assert.rejects(
      m.fit(X, zeros([6, 10]), { ...OPTS, batchSize: 0 }),
      /batchSize must be a positive integer, got 0/,
    );
    await assert.rejects(
      m.fit(X, zeros([6, 10]), { ...OPTS, validationSplit: 1 }),
      /validationSplit must be in \[0, 1\)/,
    );
    await assert.rejects(
      m.fit(X, zeros([6, 10]), { ...OPTS, epochs: 1.5 }),
      /epochs must be an integer/,
    );
    await assert.rejects(
      m.fit(zeros([6, 5]), zeros([6, 10]), OPTS),
      /Model 'clf': input 0 .* expects shape \(None, 4\), got \[6, 5\]/,
    );
    assert.throws(() => m.predict(zeros([0, 4])), /predict: x is empty/);
  });

  it('checks the number of targets and per-output compile arguments', async () => {
    const a = Input({ shape: [4] });
    const o1 = new Dense(1, { name: 'o1' }).apply(a);
    const o2 = new Dense(2, { name: 'o2' }).apply(a);
    const m = new Model({ inputs: a, outputs: [o1, o2], name: 'two_out' });
    assert.throws(
      () => m.compile({ optimizer: 'sgd', loss: ['mse'] }),
      /loss is a list of 1 but the model has 2 outputs \(o1, o2\)/,
    );
    assert.throws(
      () => m.compile({ optimizer: 'sgd', loss: { o3: 'mse' } }),
      /key 'o3' that is not an output name/,
    );
    m.compile({ optimizer: 'sgd', loss: 'mse' });
    await assert.rejects(
      m.fit(X, zeros([6, 1]), OPTS),
      /model 'two_out' has 2 outputs \(o1, o2\) but y has 1 tensor/,
    );
    await assert.rejects(
      m.fit(X, [zeros([6, 1]), zeros([6, 1])], { ...OPTS, classWeight: { 0: 1 } }),
      /classWeight is only supported for models with one output/,
    );
  });
});
