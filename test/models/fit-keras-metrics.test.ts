// Issue 20: the new metrics and losses inside compile/fit/evaluate, with Keras's log names, and
// through a save/load round trip of the compiled model.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import '../../src/backends/index.js';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { BinaryFocalCrossentropy } from '../../src/nn/losses/binary-focal-crossentropy.js';
import { CategoricalFocalCrossentropy } from '../../src/nn/losses/categorical-focal-crossentropy.js';
import {
  AUC,
  F1Score,
  MeanIoU,
  type Metric,
  PrecisionAtRecall,
  R2Score,
  RootMeanSquaredError,
  TopKCategoricalAccuracy,
} from '../../src/nn/metrics/index.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-metrics-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A learnable 4-class problem: the class is the argmax of the first four features. */
function data(n: number, seed: number) {
  const rng = new Rng(seed);
  const x: number[][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: 6 }, () => rng.uniform() * 2 - 1);
    const c = row.slice(0, 4).indexOf(Math.max(...row.slice(0, 4)));
    x.push(row);
    y.push([0, 1, 2, 3].map((k) => (k === c ? 1 : 0)));
  }
  return { x: tensor(x), y: tensor(y) };
}

/** The metric over the whole data at once (these metrics' states add up over batches). */
function direct(
  m: Metric,
  yTrue: Parameters<Metric['updateState']>[0],
  yPred: Parameters<Metric['updateState']>[1],
) {
  m.updateState(yTrue, yPred);
  return m.result();
}

describe('Keras metrics and focal losses in fit', () => {
  it('logs each metric under its Keras name; evaluate equals the metrics on predict; save/load keeps them', async () => {
    setSeed(20);
    const model = new Sequential([
      new Dense(16, { activation: 'relu', inputShape: [6] }),
      new Dense(4, { activation: 'softmax' }),
    ]);
    model.compile({
      optimizer: 'adam',
      loss: new CategoricalFocalCrossentropy({ gamma: 2, alpha: 0.25 }),
      metrics: [
        'auc',
        'top_k_categorical_accuracy',
        new TopKCategoricalAccuracy({ k: 2, name: 'top2' }),
        new F1Score({ average: 'macro' }),
        new PrecisionAtRecall({ recall: 0.5 }),
        new MeanIoU({ numClasses: 4, sparseYTrue: false, sparseYPred: false }),
        new AUC({ curve: 'PR', name: 'pr_auc' }),
      ],
    });
    const train = data(64, 1);
    const history = await model.fit(train.x, train.y, { epochs: 3, batchSize: 16, verbose: 0 });
    const keys = [
      'auc',
      'f1_score',
      'loss',
      'mean_io_u',
      'pr_auc',
      'precision_at_recall',
      'top2',
      'top_k_categorical_accuracy',
    ];
    assert.deepEqual(Object.keys(history.history).sort(), keys);
    const losses = history.history['loss']!;
    assert.ok(losses[2]! < losses[0]!, `the focal loss falls: ${losses}`);
    for (const k of keys)
      for (const v of history.history[k]!) assert.ok(Number.isFinite(v), `${k}: ${v}`);
    // Top-5 of 4 classes is always right; the other values are in [0, 1].
    assert.deepEqual(history.history['top_k_categorical_accuracy'], [1, 1, 1]);
    for (const k of ['auc', 'f1_score', 'mean_io_u', 'pr_auc', 'precision_at_recall', 'top2'])
      for (const v of history.history[k]!) assert.ok(v >= 0 && v <= 1, `${k}: ${v}`);

    const test = data(40, 2);
    const logs = (await model.evaluate(test.x, test.y, {
      verbose: 0,
      batchSize: 7,
      returnDict: true,
    })) as Record<string, number>;
    const p = model.predict(test.x) as ReturnType<typeof tensor>;
    const want: Record<string, number> = {
      auc: direct(new AUC(), test.y, p),
      f1_score: direct(new F1Score({ average: 'macro' }), test.y, p),
      mean_io_u: direct(
        new MeanIoU({ numClasses: 4, sparseYTrue: false, sparseYPred: false }),
        test.y,
        p,
      ),
      pr_auc: direct(new AUC({ curve: 'PR' }), test.y, p),
      precision_at_recall: direct(new PrecisionAtRecall({ recall: 0.5 }), test.y, p),
      top2: direct(new TopKCategoricalAccuracy({ k: 2 }), test.y, p),
      top_k_categorical_accuracy: 1,
      loss: new CategoricalFocalCrossentropy().compute(test.y, p).data[0]!,
    };
    for (const k of keys)
      assert.ok(Math.abs(logs[k]! - want[k]!) < 1e-5, `${k}: ${logs[k]} vs ${want[k]}`);

    const path = join(dir, 'metrics.keel');
    model.save(path, { includeOptimizer: true });
    const loaded = loadModel(path);
    const again = (await loaded.evaluate(test.x, test.y, {
      verbose: 0,
      batchSize: 7,
      returnDict: true,
    })) as Record<string, number>;
    assert.deepEqual(Object.keys(again).sort(), keys);
    for (const k of keys)
      assert.ok(
        Math.abs(again[k]! - logs[k]!) < 1e-6,
        `${k} after load: ${again[k]} vs ${logs[k]}`,
      );
    const loss = loaded.compiled!.losses[0] as CategoricalFocalCrossentropy;
    assert.ok(loss instanceof CategoricalFocalCrossentropy);
    const pr = loaded.compiled!.metrics!.find((m) => m.name === 'pr_auc')!.metric as AUC;
    assert.ok(pr instanceof AUC);
    assert.equal(pr.curve, 'PR');
  });

  it('regression metrics and a binary focal loss log as Keras names them', async () => {
    setSeed(21);
    const model = new Sequential([new Dense(2, { inputShape: [3], activation: 'sigmoid' })]);
    model.compile({
      optimizer: 'adam',
      loss: 'binary_focal_crossentropy',
      metrics: ['root_mean_squared_error', 'r2_score', 'auc'],
    });
    const rng = new Rng(3);
    const rows = Array.from({ length: 32 }, () => [rng.uniform(), rng.uniform(), rng.uniform()]);
    const x = tensor(rows);
    const y = tensor(rows.map((r) => [r[0]! > 0.5 ? 1 : 0, r[1]! > r[2]! ? 1 : 0]));
    const history = await model.fit(x, y, { epochs: 2, batchSize: 8, verbose: 0 });
    assert.deepEqual(Object.keys(history.history).sort(), [
      'auc',
      'loss',
      'r2_score',
      'root_mean_squared_error',
    ]);
    const logs = (await model.evaluate(x, y, {
      verbose: 0,
      batchSize: 5,
      returnDict: true,
    })) as Record<string, number>;
    const p = model.predict(x) as ReturnType<typeof tensor>;
    const close = (a: number, b: number, k: string) =>
      assert.ok(Math.abs(a - b) < 1e-5, `${k}: ${a} vs ${b}`);
    close(logs['root_mean_squared_error']!, direct(new RootMeanSquaredError(), y, p), 'rmse');
    close(logs['r2_score']!, direct(new R2Score(), y, p), 'r2');
    close(logs['auc']!, direct(new AUC(), y, p), 'auc');
    close(logs['loss']!, new BinaryFocalCrossentropy().compute(y, p).data[0]!, 'loss');
  });
});
