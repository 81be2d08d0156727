import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import '../../src/backends/index.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { Callback, type Logs } from '../../src/nn/callbacks/callback.js';
import type { LayerInput } from '../../src/nn/engine/layer.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { BinaryCrossentropy } from '../../src/nn/losses/binary-crossentropy.js';
import { Adam } from '../../src/nn/optimizers/adam.js';
import { SGD } from '../../src/nn/optimizers/sgd.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';

/** XOR of the signs: not linearly separable, so the hidden layer is needed. Kept off the axes. */
function xorData(n: number, seed: number): { x: Tensor; y: Tensor } {
  const rng = new Rng(seed);
  const x = new Float32Array(n * 2);
  const y = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = (0.15 + 0.85 * rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1);
    const b = (0.15 + 0.85 * rng.uniform()) * (rng.uniform() < 0.5 ? -1 : 1);
    x[2 * i] = a;
    x[2 * i + 1] = b;
    y[i] = a * b > 0 ? 1 : 0;
  }
  return { x: tensor(x, [n, 2]), y: tensor(y, [n, 1]) };
}

function mlp(): Sequential {
  return new Sequential([
    new Dense(16, { activation: 'relu', inputShape: [2] }),
    new Dense(1, { activation: 'sigmoid' }),
  ]);
}

/** A small fixed problem: 8 samples, 2 features. */
const X8 = tensor([
  [0.1, 0.2],
  [0.5, -0.3],
  [-0.2, 0.8],
  [0.9, 0.1],
  [-0.7, -0.4],
  [0.3, 0.3],
  [-0.1, 0.6],
  [0.4, -0.9],
]);
const Y8 = tensor([[1], [0], [1], [0], [1], [0], [1], [0]]);

function frozenModel(seed = 3): Sequential {
  setSeed(seed);
  const model = mlp();
  model.compile({
    optimizer: new SGD({ learningRate: 0 }),
    loss: 'binary_crossentropy',
    metrics: ['accuracy'],
  });
  return model;
}

describe('fit', () => {
  it('trains an MLP to >= 95% accuracy on a 2-class XOR problem', async () => {
    setSeed(42);
    const { x, y } = xorData(256, 7);
    const model = mlp();
    model.compile({
      optimizer: new Adam({ learningRate: 0.03 }),
      loss: 'binary_crossentropy',
      metrics: ['accuracy'],
    });
    const history = await model.fit(x, y, { epochs: 40, batchSize: 32, verbose: 0 });
    assert.equal(model.history, history);
    assert.deepEqual(
      history.epoch,
      Array.from({ length: 40 }, (_, i) => i),
    );
    assert.deepEqual(Object.keys(history.history).sort(), ['accuracy', 'loss']);
    const losses = history.history['loss']!;
    assert.ok(losses[39]! < losses[0]! / 2, `loss ${losses[0]} -> ${losses[39]}`);
    const test = xorData(200, 8);
    const [, acc] = (await model.evaluate(test.x, test.y, { verbose: 0 })) as number[];
    assert.ok(acc! >= 0.95, `test accuracy ${acc}`);
    assert.equal(model.optimizer!.iterations, 40 * 8);
  });

  it('is reproducible with setSeed (initial weights and shuffling)', async () => {
    const run = async () => {
      setSeed(123);
      const { x, y } = xorData(64, 1);
      const model = mlp();
      model.compile({ optimizer: new Adam({ learningRate: 0.01 }), loss: 'binary_crossentropy' });
      const h = await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0 });
      return { loss: h.history['loss'], w: Array.from(model.weights[0]!.data) };
    };
    const a = await run();
    const b = await run();
    assert.deepEqual(a, b);
  });

  it('holds out the LAST fraction for validationSplit and logs val_ values', async () => {
    const model = frozenModel();
    const steps: number[] = [];
    class Steps extends Callback {
      override onEpochBegin(): void {
        steps.push(this.params.steps);
      }
    }
    const h = await model.fit(X8, Y8, {
      epochs: 1,
      batchSize: 1,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [new Steps()],
    });
    assert.deepEqual(steps, [6]);
    assert.deepEqual(Object.keys(h.history), ['accuracy', 'loss', 'val_accuracy', 'val_loss']);
    const last2x = tensor((X8.array() as number[][]).slice(6));
    const last2y = tensor((Y8.array() as number[][]).slice(6));
    const [valLoss, valAcc] = (await model.evaluate(last2x, last2y, { verbose: 0 })) as number[];
    assert.ok(Math.abs(h.history['val_loss']![0]! - valLoss!) < 1e-6);
    assert.equal(h.history['val_accuracy']![0], valAcc);
  });

  it('uses validationData when given', async () => {
    const model = frozenModel();
    const h = await model.fit(X8, Y8, {
      epochs: 2,
      validationData: [X8, Y8],
      verbose: 0,
    });
    assert.equal(h.history['val_loss']!.length, 2);
    // The weights are frozen (learning rate 0), so validation on the training data equals evaluate.
    const loss = (await model.evaluate(X8, Y8, { verbose: 0, returnDict: true })) as Record<
      string,
      number
    >;
    assert.ok(Math.abs(h.history['val_loss']![1]! - loss['loss']!) < 1e-6);
    assert.deepEqual(Object.keys(loss), ['accuracy', 'loss']);
  });

  it('weights the loss by classWeight and sampleWeight', async () => {
    const model = frozenModel();
    const pred = model.predict(X8) as Tensor;
    const perSample = Array.from(new BinaryCrossentropy().call(Y8, pred).data);
    const labels = Array.from(Y8.data);
    const plain = await model.fit(X8, Y8, { epochs: 1, batchSize: 8, verbose: 0 });
    const weighted = await model.fit(X8, Y8, {
      epochs: 1,
      batchSize: 8,
      verbose: 0,
      classWeight: { 0: 1, 1: 3 },
    });
    const mean = (w: number[]) =>
      perSample.reduce((s, l, i) => s + l * w[i]!, 0) / perSample.length;
    assert.ok(Math.abs(plain.history['loss']![0]! - mean(labels.map(() => 1))) < 1e-5);
    assert.ok(
      Math.abs(weighted.history['loss']![0]! - mean(labels.map((c) => (c === 1 ? 3 : 1)))) < 1e-5,
    );
    const sw = [1, 2, 0, 1, 1, 0.5, 1, 1];
    const both = await model.fit(X8, Y8, {
      epochs: 1,
      batchSize: 8,
      verbose: 0,
      classWeight: { 0: 1, 1: 3 },
      sampleWeight: sw,
    });
    const expected = mean(labels.map((c, i) => (c === 1 ? 3 : 1) * sw[i]!));
    assert.ok(Math.abs(both.history['loss']![0]! - expected) < 1e-5);
  });

  it('calls the hooks in order, awaits async hooks, and honours stopTraining', async () => {
    const model = frozenModel();
    const events: string[] = [];
    let ready = false;
    class Recorder extends Callback {
      override onTrainBegin(): void {
        events.push('trainBegin');
      }
      override async onEpochBegin(epoch: number): Promise<void> {
        events.push(`epochBegin ${epoch}`);
        await new Promise((r) => setTimeout(r, 5));
        ready = true;
      }
      override onTrainBatchBegin(batch: number): void {
        assert.ok(ready, 'the async onEpochBegin was awaited');
        events.push(`batchBegin ${batch}`);
      }
      override onTrainBatchEnd(batch: number, logs: Logs): void {
        events.push(`batchEnd ${batch} ${Object.keys(logs).join(',')}`);
      }
      override onTestBegin(): void {
        events.push('testBegin');
      }
      override onTestEnd(): void {
        events.push('testEnd');
      }
      override onEpochEnd(epoch: number, logs: Logs): void {
        events.push(`epochEnd ${epoch} ${Object.keys(logs).join(',')}`);
        if (epoch === 1) this.model!.stopTraining = true;
      }
      override onTrainEnd(): void {
        events.push('trainEnd');
      }
    }
    const h = await model.fit(X8, Y8, {
      epochs: 10,
      batchSize: 4,
      validationData: [X8, Y8],
      callbacks: [new Recorder()],
      shuffle: false,
      verbose: 0,
    });
    const epoch = (e: number) => [
      `epochBegin ${e}`,
      'batchBegin 0',
      'batchEnd 0 accuracy,loss',
      'batchBegin 1',
      'batchEnd 1 accuracy,loss',
      'testBegin',
      'testEnd',
      `epochEnd ${e} accuracy,loss,val_accuracy,val_loss`,
    ];
    assert.deepEqual(events, ['trainBegin', ...epoch(0), ...epoch(1), 'trainEnd']);
    assert.deepEqual(h.epoch, [0, 1]);
  });

  it('starts from initialEpoch', async () => {
    const model = frozenModel();
    const h = await model.fit(X8, Y8, { epochs: 3, initialEpoch: 1, verbose: 0 });
    assert.deepEqual(h.epoch, [1, 2]);
  });
});

describe('evaluate, predict, trainOnBatch', () => {
  it('returns Keras shapes of results', async () => {
    setSeed(5);
    const model = mlp();
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const loss = await model.evaluate(X8, Y8, { verbose: 0, batchSize: 3 });
    assert.equal(typeof loss, 'number');
    model.compile({ optimizer: 'sgd', loss: 'binary_crossentropy', metrics: ['accuracy', 'mse'] });
    const res = (await model.evaluate(X8, Y8, { verbose: 0 })) as number[];
    assert.equal(res.length, 3);
    const dict = (await model.evaluate(X8, Y8, { verbose: 0, returnDict: true })) as Record<
      string,
      number
    >;
    assert.deepEqual(Object.keys(dict), ['accuracy', 'loss', 'mse']);
    assert.equal(dict['loss'], res[0]);
    const pred = model.predict(X8, { batchSize: 3 }) as Tensor;
    assert.deepEqual(pred.shape, [8, 1]);
    assert.equal(pred.requiresGrad, false);
    assert.deepEqual(Array.from(pred.data), Array.from((model.apply(X8) as Tensor).data));
    const before = model.testOnBatch(X8, Y8) as number[];
    const r = model.trainOnBatch(X8, Y8) as number[];
    assert.equal(r.length, 3);
    assert.ok(Math.abs(r[0]! - before[0]!) < 1e-6, 'trainOnBatch reports the loss before the step');
    const after = model.testOnBatch(X8, Y8) as number[];
    assert.notEqual(after[0], before[0]);
    assert.equal(model.optimizer!.iterations, 1);
    // Nested arrays are accepted for x and y.
    assert.deepEqual((model.predict([[1, 2]]) as Tensor).shape, [1, 1]);
  });

  it('trains a two-input, two-output functional model with per-output losses and metrics', async () => {
    setSeed(9);
    const a = Input({ shape: [2], name: 'a' });
    const b = Input({ shape: [2], name: 'b' });
    const shared = new Dense(4, { activation: 'tanh' });
    const ha = shared.apply(a);
    const hb = shared.apply(b);
    const cls = new Dense(1, { activation: 'sigmoid', name: 'cls' }).apply(ha);
    const reg = new Dense(1, { name: 'reg' }).apply(hb);
    const model = new Model({ inputs: [a, b], outputs: [cls, reg] });
    model.compile({
      optimizer: new Adam({ learningRate: 0.01 }),
      loss: { cls: 'binary_crossentropy', reg: 'mse' },
      metrics: { cls: ['accuracy'] },
      lossWeights: [1, 0.5],
    });
    const h = await model.fit({ a: X8, b: X8 }, [Y8, Y8], {
      epochs: 2,
      verbose: 0,
      validationSplit: 0.25,
    });
    assert.deepEqual(Object.keys(h.history), [
      'cls_accuracy',
      'cls_loss',
      'loss',
      'reg_loss',
      'val_cls_accuracy',
      'val_cls_loss',
      'val_loss',
      'val_reg_loss',
    ]);
    const logs = (await model.evaluate([X8, X8], [Y8, Y8], {
      verbose: 0,
      returnDict: true,
    })) as Record<string, number>;
    assert.ok(Math.abs(logs['loss']! - (logs['cls_loss']! + 0.5 * logs['reg_loss']!)) < 1e-5);
    const list = (await model.evaluate([X8, X8], [Y8, Y8], { verbose: 0 })) as number[];
    assert.deepEqual(list, [
      logs['loss'],
      logs['cls_loss'],
      logs['reg_loss'],
      logs['cls_accuracy'],
    ]);
    const preds = model.predict([X8, X8]) as Tensor[];
    assert.deepEqual(
      preds.map((p) => p.shape),
      [
        [8, 1],
        [8, 1],
      ],
    );
  });

  it('adds the regularization penalties to the loss', async () => {
    setSeed(2);
    const model = new Sequential([new Dense(1, { inputShape: [2], kernelRegularizer: 'l2' })]);
    model.compile({ optimizer: new SGD({ learningRate: 0 }), loss: 'mse' });
    const withPenalty = (await model.evaluate(X8, Y8, { verbose: 0 })) as number;
    const k = Array.from(model.weights[0]!.data);
    const pred = model.predict(X8) as Tensor;
    const mse = Array.from(pred.data).reduce((s, p, i) => s + (p - Y8.data[i]!) ** 2, 0) / 8;
    const l2 = 0.01 * k.reduce((s, w) => s + w * w, 0);
    assert.ok(Math.abs(withPenalty - (mse + l2)) < 1e-5, `${withPenalty} vs ${mse} + ${l2}`);
  });

  it('trains a subclassed Model whose layers are fields', async () => {
    setSeed(11);
    class TwoLayer extends Model {
      hidden = new Dense(8, { activation: 'relu' });
      head = new Dense(1, { activation: 'sigmoid' });
      override call(x: LayerInput): Tensor {
        return this.head.apply(this.hidden.apply(x as Tensor));
      }
    }
    const model = new TwoLayer({ name: 'two_layer' });
    model.compile({
      optimizer: new Adam({ learningRate: 0.05 }),
      loss: 'binary_crossentropy',
      metrics: ['accuracy'],
    });
    const h = await model.fit(X8, Y8, { epochs: 30, verbose: 0 });
    assert.deepEqual(model.layers, [model.hidden, model.head]);
    assert.equal(model.countParams(), 2 * 8 + 8 + 8 + 1);
    assert.equal(model.trainableWeights.length, 4);
    assert.ok(h.history['loss']![29]! < h.history['loss']![0]!);
    const lines: string[] = [];
    model.summary((l) => lines.push(l));
    assert.match(lines.join('\n'), /│ dense\S* \(Dense\) +│ \? +│ +24 │/);
  });
});
