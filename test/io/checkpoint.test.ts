import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { BackupAndRestore } from '../../src/io/checkpoint/backup-and-restore.js';
import { formatCheckpointPath } from '../../src/io/checkpoint/format-path.js';
import { ModelCheckpoint } from '../../src/io/checkpoint/model-checkpoint.js';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { readSafetensors } from '../../src/io/safetensors-read.js';
import { Sequential } from '../../src/models/sequential.js';
import { Callback } from '../../src/nn/callbacks/callback.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Dropout } from '../../src/nn/layers/dropout.js';
import { getRng, setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import '../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-ckpt-'));

function bits(ts: readonly Tensor[]): Buffer {
  return Buffer.concat(
    ts.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
  );
}

function makeRun() {
  setSeed(21);
  const x = randomUniform([40, 5], -1, 1);
  const y = randomUniform([40, 3], -1, 1);
  const model = new Sequential([
    new Dense(8, { activation: 'relu', inputShape: [5] }),
    new Dropout(0.25),
    new Dense(3),
  ]);
  model.compile({ optimizer: 'adam', loss: 'mse' });
  return { model, x, y };
}

/** Throws at a given (epoch, batch): a crash in the middle of fit. */
class CrashAt extends Callback {
  private epoch = 0;
  constructor(
    readonly atEpoch: number,
    readonly atBatch: number,
  ) {
    super();
  }
  override onEpochBegin(epoch: number): void {
    this.epoch = epoch;
  }
  override onTrainBatchEnd(batch: number): void {
    if (this.epoch === this.atEpoch && batch === this.atBatch) throw new Error('simulated crash');
  }
}

describe('checkpoints', () => {
  it('Rng.getState/setState replays the same numbers', () => {
    setSeed(3);
    getRng().normal();
    const state = getRng().getState();
    const a = [getRng().normal(), getRng().uniform(), getRng().normal()];
    getRng().uniform();
    getRng().setState(JSON.parse(JSON.stringify(state)));
    assert.deepEqual([getRng().normal(), getRng().uniform(), getRng().normal()], a);
    assert.throws(() => getRng().setState({ s: [1, 2], spareNormal: null }), /Rng.setState/);
  });

  for (const saveFreq of ['epoch', 2] as const) {
    it(`BackupAndRestore (saveFreq=${saveFreq}) resumes after a crash with identical final weights`, async () => {
      const ref = makeRun();
      await ref.model.fit(ref.x, ref.y, { epochs: 4, batchSize: 8, verbose: 0 });
      const expected = bits(ref.model.getWeights());

      const backupDir = join(dir, `backup-${saveFreq}`);
      const first = makeRun();
      const crash = new CrashAt(2, 2);
      await assert.rejects(
        first.model.fit(first.x, first.y, {
          epochs: 4,
          batchSize: 8,
          verbose: 0,
          callbacks: [new BackupAndRestore(backupDir, { saveFreq }), crash],
        }),
        /simulated crash/,
      );
      assert.ok(existsSync(join(backupDir, 'backup.keel')));
      const second = makeRun();
      await second.model.fit(second.x, second.y, {
        epochs: 4,
        batchSize: 8,
        verbose: 0,
        callbacks: [new BackupAndRestore(backupDir, { saveFreq })],
      });
      assert.ok(bits(second.model.getWeights()).equals(expected));
      assert.ok(!existsSync(join(backupDir, 'backup.keel')), 'deleteCheckpoint removes the backup');
    });
  }

  it('ModelCheckpoint formats {epoch} paths, saves only improvements with saveBestOnly', async () => {
    assert.equal(
      formatCheckpointPath('m-{epoch:02d}-{val_loss:.2f}.keel', { epoch: 3, val_loss: 0.12345 }),
      'm-03-0.12.keel',
    );
    assert.throws(() => formatCheckpointPath('{nope}', { epoch: 1 }), /'\{nope\}' has no value/);
    const { model, x, y } = makeRun();
    const every = join(dir, 'every', 'm-{epoch}.keel');
    const best = join(dir, 'best.keel');
    const weightsOnly = join(dir, 'w-{epoch}.safetensors');
    await model.fit(x, y, {
      epochs: 3,
      batchSize: 8,
      verbose: 0,
      validationSplit: 0.25,
      callbacks: [
        new ModelCheckpoint(every),
        new ModelCheckpoint(best, { saveBestOnly: true, monitor: 'val_loss' }),
        new ModelCheckpoint(weightsOnly, { saveWeightsOnly: true }),
        new ModelCheckpoint(join(dir, 'batches', 'b-{epoch}-{batch}.keel'), { saveFreq: 2 }),
      ],
    });
    for (const e of [1, 2, 3]) assert.ok(existsSync(join(dir, 'every', `m-${e}.keel`)));
    const last = loadModel(join(dir, 'every', 'm-3.keel'));
    assert.ok(bits(last.getWeights()).equals(bits(model.getWeights())));
    assert.equal(last.optimizer?.iterations, model.optimizer?.iterations);
    assert.ok(existsSync(best));
    // 30 training samples / batch 8 = 4 batches per epoch: saves after batches 2 and 4.
    assert.ok(
      existsSync(join(dir, 'batches', 'b-1-2.keel')) &&
        existsSync(join(dir, 'batches', 'b-3-4.keel')),
    );
    assert.equal(readSafetensors(join(dir, 'w-2.safetensors')).metadata['format'], 'keel-weights');
  });
});
