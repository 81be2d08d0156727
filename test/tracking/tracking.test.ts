import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/index.js';
import { randomNormal } from '../../src/random/tensors.js';
import { runToCsv, STORE_FILE, Tracking, TrackingStore } from '../../src/tracking/index.js';
import '../../src/backends/index.js';
import { keel, keelAsync, tinyConfig } from '../cli/cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-tracking-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tinyModel() {
  const model = new Sequential([new Dense(3, { inputShape: [4], activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'mse', metrics: ['accuracy'] });
  return model;
}
const x = randomNormal([40, 4]);
const y = randomNormal([40, 3]);

describe('experiment tracking', () => {
  it('records parameters, batch and epoch metrics, histograms and the summary of a fit', async () => {
    const runs = join(dir, 'api');
    const model = tinyModel();
    const tracking = new Tracking({ dir: runs, tags: ['unit'], params: { note: 'hello' } });
    await model.fit(x, y, { epochs: 2, batchSize: 10, verbose: 0, callbacks: [tracking] });
    const store = TrackingStore.open(runs);
    const [run] = store.listRuns();
    assert.equal(run!.id, tracking.runId);
    assert.equal(run!.status, 'finished');
    assert.deepEqual(run!.tags, ['unit']);
    assert.equal(run!.params['note'], 'hello');
    assert.equal((run!.params['compile'] as { loss: string[] }).loss[0], 'mean_squared_error');
    assert.equal(run!.summary['epochs'], 2);
    const keys = Object.fromEntries(
      store.metricKeys(run!.id).map((k) => [`${k.scope}/${k.key}`, k.count]),
    );
    assert.equal(keys['batch/loss'], 8, '4 batches x 2 epochs');
    assert.equal(keys['epoch/loss'], 2);
    assert.equal(keys['system/step_time_ms'], 8);
    const losses = store.metrics(run!.id, 'loss', 'epoch');
    assert.equal(losses.at(-1)!.value, model.history!.history['loss']!.at(-1));
    const hist = store.histograms(run!.id);
    assert.equal(hist.length, 4, 'kernel and bias at 2 epochs');
    const kernel = hist.find((h) => h.epoch === 1 && h.weight.endsWith('kernel'))!;
    assert.equal(
      kernel.counts.reduce((a, b) => a + b, 0),
      12,
    );
    assert.match(store.artifact(run!.id, 'summary')!.content, /dense/);
    const csv = runToCsv(store, run!.id).trim().split('\n');
    assert.equal(csv[0], 'key,scope,step,epoch,wall,value');
    assert.equal(csv.length, 1 + store.allMetrics(run!.id).length);
    store.close();
  });

  it('KEEL_TRACKING_DIR records every fit without a Tracking callback', async () => {
    const runs = join(dir, 'env');
    process.env['KEEL_TRACKING_DIR'] = runs;
    try {
      await tinyModel().fit(x, y, { epochs: 1, batchSize: 20, verbose: 0 });
    } finally {
      delete process.env['KEEL_TRACKING_DIR'];
    }
    const store = TrackingStore.open(runs);
    assert.equal(store.listRuns({ status: 'finished' }).length, 1);
    store.close();
  });

  it('a corrupt store and a locked store give clear errors and lose no finished run', () => {
    const bad = join(dir, 'corrupt');
    rmSync(bad, { recursive: true, force: true });
    TrackingStore.open(bad).close();
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(join(bad, STORE_FILE), garbage);
    assert.throws(() => TrackingStore.open(bad), /is corrupt or not a Keel tracking database/);
    assert.deepEqual(readFileSync(join(bad, STORE_FILE)), garbage, 'the file is left untouched');

    const runs = join(dir, 'api');
    const holder = new Database(join(runs, STORE_FILE));
    holder.exec('BEGIN IMMEDIATE');
    const store = TrackingStore.open(runs);
    assert.throws(() => store.createRun({ name: 'blocked' }), /is locked by another process/);
    store.close();
    holder.exec('ROLLBACK');
    holder.close();
    const after = TrackingStore.open(runs);
    assert.equal(after.listRuns({ status: 'finished' }).length, 1);
    after.close();
  });

  it('a SIGKILLed keel train shows as failed with its data up to the kill; keel runs tags, searches, exports, deletes', async () => {
    const runs = join(dir, 'cli');
    const config = tinyConfig(dir, 'killed', (c) => {
      c.fit.epochs = 500;
      c.data.limit = 300;
    });
    const child = keelAsync(['train', config, '--tracking-dir', runs, '--tag', 'doomed'], dir);
    let stdout = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (/Epoch 3\//.test(stdout)) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const list = keel(['runs', 'list', '--dir', runs, '--json'], dir);
    assert.equal(list.status, 0, list.stderr);
    const [run] = JSON.parse(list.stdout);
    assert.equal(run.status, 'failed');
    assert.match(run.error, /ended without finishing the run/);
    const store = TrackingStore.open(runs);
    assert.ok(store.metrics(run.id, 'loss', 'epoch').length >= 2, 'the epochs before the kill');
    store.close();

    assert.equal(keel(['runs', 'tag', run.id.slice(0, 9), 'kept', '--dir', runs], dir).status, 0);
    const found = keel(['runs', 'search', 'kept', '--dir', runs, '--json'], dir);
    assert.deepEqual(JSON.parse(found.stdout)[0].tags, ['doomed', 'kept']);
    const csv = keel(['runs', 'export', run.id, '--dir', runs], dir);
    assert.match(csv.stdout, /^key,scope,step,epoch,wall,value\n(accuracy|loss),batch,0,0,/);
    assert.equal(keel(['runs', 'delete', run.id, '--dir', runs], dir).status, 0);
    assert.equal(JSON.parse(keel(['runs', 'list', '--dir', runs, '--json'], dir).stdout).length, 0);
  });
});
