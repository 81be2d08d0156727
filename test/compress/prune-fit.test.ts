import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  ConstantSparsity,
  PolynomialDecay,
  pruneLowMagnitude,
  pruningHandle,
  sparsity,
  stripPruning,
  UpdatePruningStep,
} from '../../src/compress/index.js';
import { BackupAndRestore } from '../../src/io/checkpoint/backup-and-restore.js';
import { Sequential } from '../../src/models/sequential.js';
import { Callback } from '../../src/nn/callbacks/callback.js';
import { Conv2D } from '../../src/nn/layers/conv2d.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Flatten } from '../../src/nn/layers/flatten.js';
import { SGD } from '../../src/nn/optimizers/sgd.js';
import { setSeed } from '../../src/random/rng.js';
import { randomNormal, randomUniform } from '../../src/random/tensors.js';
import '../../src/backends/index.js';

function mlp(): Sequential {
  setSeed(3);
  return new Sequential([
    new Dense(16, { activation: 'relu', inputShape: [8], name: 'd1' }),
    new Dense(4, { activation: 'softmax', name: 'd2' }),
  ]);
}

async function fitPruned(optimizer: 'adam' | SGD, scope: 'layer' | 'global') {
  const model = mlp();
  model.compile({ optimizer, loss: 'categorical_crossentropy' });
  const schedule = new PolynomialDecay({
    initialSparsity: 0.3,
    finalSparsity: 0.75,
    beginStep: 0,
    endStep: 8,
    frequency: 4,
  });
  const handle = pruneLowMagnitude(model, { schedule, scope });
  const x = randomNormal([64, 8]);
  const y = randomUniform([64, 4]);
  const zerosAfter: boolean[] = [];
  await model.fit(x, y, {
    epochs: 3,
    batchSize: 8,
    verbose: 0,
    callbacks: [
      new UpdatePruningStep(),
      // After UpdatePruningStep: sees the weights as the next batch will.
      new (class extends Callback {
        override onTrainBatchEnd() {
          handle.kernels.forEach(({ kernel }, i) => {
            const m = handle.masks[i]!;
            zerosAfter.push(m.every((keep, k) => keep === 1 || kernel.data[k] === 0));
          });
        }
      })(),
    ],
  });
  return { model, handle, zerosAfter };
}

/** Prunes mlp() for 3 epochs with a backup in `dir`; `stopAt` (a global step) ends fit there, as Ctrl-C does. */
async function prunedRun(dir: string, stopAt: number | null) {
  const model = mlp();
  model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
  const schedule = new PolynomialDecay({
    initialSparsity: 0.2,
    finalSparsity: 0.8,
    beginStep: 0,
    endStep: 20,
    frequency: 3,
  });
  const handle = pruneLowMagnitude(model, { schedule });
  setSeed(11);
  const x = randomNormal([64, 8]);
  const y = randomUniform([64, 4]);
  const backup = new BackupAndRestore(dir);
  let step = 0;
  const stopper = new (class extends Callback {
    override onTrainBatchEnd(batch: number) {
      if (++step !== stopAt) return;
      backup.backupAfterBatch(batch);
      throw new Error('stopped');
    }
  })();
  await model.fit(x, y, {
    epochs: 3,
    batchSize: 8,
    verbose: 0,
    callbacks: [new UpdatePruningStep(), stopper, backup],
  });
  return { model, handle };
}

describe('pruning during fit', () => {
  it('a run stopped mid-epoch resumes from its backup to the masks and weights of an unstopped run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'keel-prune-resume-'));
    try {
      const whole = await prunedRun(join(dir, 'a'), null);
      await assert.rejects(prunedRun(join(dir, 'b'), 11), /stopped/);
      const resumed = await prunedRun(join(dir, 'b'), null);
      assert.equal(resumed.handle.step, whole.handle.step);
      assert.deepEqual(resumed.handle.masks, whole.handle.masks);
      const [w, r] = [whole.model.getWeights(), resumed.model.getWeights()];
      for (const [i, t] of w.entries()) {
        const d = r[i]!.data;
        assert.ok(
          t.data.every((v, k) => Math.abs(v - d[k]!) < 1e-6),
          `weight ${i} differs`,
        );
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  for (const [name, opt] of [
    ['Adam', () => 'adam' as const],
    ['SGD with momentum', () => new SGD({ learningRate: 0.1, momentum: 0.9 })],
  ] as const) {
    it(`keeps pruned weights exactly 0 after every step (${name})`, async () => {
      const { model, handle, zerosAfter } = await fitPruned(opt(), 'layer');
      assert.equal(handle.step, 24);
      assert.ok(zerosAfter.length === 48 && zerosAfter.every(Boolean), 'masked weights are 0');
      const report = sparsity(model);
      for (const k of report.kernels)
        assert.ok(Math.abs(k.sparsity - 0.75) < 0.02, `${k.layer}: ${k.sparsity}`);
      // The optimizer's slots are zero where the weights are pruned.
      for (const [v, , slot] of model.compiled!.optimizer.slotEntries()) {
        const i = handle.kernels.findIndex((k) => k.kernel === v);
        if (i < 0) continue;
        handle.masks[i]!.forEach((keep, k) => {
          if (!keep) assert.equal(slot.data[k], 0);
        });
      }
    });
  }

  it('global scope reaches the target over all kernels together', async () => {
    const { model } = await fitPruned('adam', 'global');
    const report = sparsity(model);
    assert.ok(Math.abs(report.sparsity - 0.75) < 0.01, `${report.sparsity}`);
    assert.equal(report.size, 8 * 16 + 16 * 4);
  });

  it('stripPruning leaves a plain model that keeps its zeros', async () => {
    const { model } = await fitPruned('adam', 'layer');
    const before = sparsity(model).zeros;
    assert.equal(stripPruning(model), model);
    assert.equal(pruningHandle(model), undefined);
    assert.equal(sparsity(model).zeros, before);
    await model.fit(randomNormal([8, 8]), randomUniform([8, 4]), { verbose: 0 });
    assert.ok(sparsity(model).zeros < before, 'no mask after stripping');
    await assert.rejects(
      model.fit(randomNormal([8, 8]), randomUniform([8, 4]), {
        verbose: 0,
        callbacks: [new UpdatePruningStep()],
      }),
      /model '.*' is not being pruned; call pruneLowMagnitude/,
    );
  });

  it('prunes only the named layers and structured variants on a conv model', () => {
    setSeed(1);
    const convModel = () =>
      new Sequential([
        new Conv2D(4, [3, 3], { inputShape: [6, 6, 4], name: 'conv' }),
        new Flatten(),
        new Dense(3, { name: 'head' }),
      ]);
    const model = convModel();
    const schedule = new ConstantSparsity({ targetSparsity: 0.5, beginStep: 0 });
    const h = pruneLowMagnitude(model, { schedule, layers: ['conv'], structure: 'channel' });
    assert.deepEqual(
      h.kernels.map((k) => k.layer.name),
      ['conv'],
    );
    h.updateMasks(0.5);
    const k = h.kernels[0]!.kernel;
    const zeroChannels = [0, 1, 2, 3].filter((c) => {
      for (let i = c; i < k.size; i += 4) if (k.data[i] !== 0) return false;
      return true;
    });
    assert.equal(zeroChannels.length, 2);
    const fresh = convModel();
    const h24 = pruneLowMagnitude(fresh, { schedule, structure: '2:4', layers: ['conv'] });
    h24.updateMasks(0.5);
    assert.equal(sparsity(fresh).kernels[0]!.sparsity, 0.5);
  });
});

describe('pruning: bad input', () => {
  const schedule = new ConstantSparsity({ targetSparsity: 0.5, beginStep: 0 });

  it('a model with nothing prunable is an error naming the model', () => {
    const model = new Sequential([new Flatten({ inputShape: [2, 2] })], { name: 'flat' });
    assert.throws(
      () => pruneLowMagnitude(model, { schedule }),
      /model 'flat' has nothing to prune/,
    );
    assert.throws(() => sparsity(model), /model 'flat' has nothing to prune/);
  });

  it('unknown and unprunable layer names are errors naming them', () => {
    const model = new Sequential([
      new Flatten({ inputShape: [8], name: 'f' }),
      new Dense(4, { name: 'd' }),
    ]);
    assert.throws(
      () => pruneLowMagnitude(model, { schedule, layers: ['d', 'nope', 'gone'] }),
      /has no layers named 'nope', 'gone'/,
    );
    assert.throws(
      () => pruneLowMagnitude(model, { schedule, layers: ['f'] }),
      /'f' \(Flatten\) cannot be pruned/,
    );
  });

  it('rejects a bad scope, structure, schedule and a second pruneLowMagnitude', () => {
    const model = mlp();
    assert.throws(() => pruneLowMagnitude(model, { schedule, scope: 'all' as never }), /scope/);
    assert.throws(
      () => pruneLowMagnitude(model, { schedule, structure: { block: [0, 2] } }),
      /structure/,
    );
    assert.throws(
      () => pruneLowMagnitude(model, { schedule, structure: '1:4' as never }),
      /structure/,
    );
    assert.throws(() => pruneLowMagnitude(model, { schedule: {} as never }), /schedule/);
    // d2's kernel is [16, 4] (fine) but an [8 → 6] layer is not: 2:4 needs fan-in runs of 4.
    const odd = new Sequential([new Dense(6, { inputShape: [6], name: 'odd' })]);
    assert.throws(
      () => pruneLowMagnitude(odd, { schedule, structure: '2:4' }),
      /layer 'odd' kernel \[6,6\]/,
    );
    pruneLowMagnitude(model, { schedule });
    assert.throws(() => pruneLowMagnitude(model, { schedule }), /already being pruned/);
  });
});
