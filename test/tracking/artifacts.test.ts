import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import '../../src/backends/index.js';
import { ModelCheckpoint } from '../../src/io/checkpoint/model-checkpoint.js';
import { randomNormal } from '../../src/random/tensors.js';
import { type ModelGraph, Tracking, TrackingStore } from '../../src/tracking/index.js';
import { keel, tinyConfig } from '../cli/cli-helpers.js';
import { branchyModel } from './branchy-model.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-artifacts-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('run artifacts', () => {
  it('records the layer graph, the summary, checkpoints as they change and logged files', async () => {
    const runs = join(dir, 'api');
    const ckpt = join(dir, 'ckpt.keel');
    const tracking = new Tracking({ dir: runs, checkpoints: [ckpt] });
    const model = branchyModel();
    const x = randomNormal([24, 4]);
    const y = randomNormal([24, 2]);
    await model.fit(x, y, {
      epochs: 2,
      batchSize: 8,
      verbose: 0,
      callbacks: [new ModelCheckpoint(ckpt), tracking],
    });
    const store = TrackingStore.open(runs);
    const run = store.getRun(tracking.runId!);
    const names = store.artifacts(run.id).map((a) => a.name);
    assert.deepEqual(names, ['checkpoints/ckpt.keel', 'graph', 'summary']);

    const graph = JSON.parse(store.artifact(run.id, 'graph')!.content) as ModelGraph;
    assert.deepEqual(
      graph.nodes.map((n) => [n.name, n.className, n.params]),
      [
        ['x', 'InputLayer', 0],
        ['left', 'Dense', 15],
        ['right', 'Dense', 10],
        ['joined', 'Concatenate', 0],
        ['out', 'Dense', 12],
      ],
    );
    assert.deepEqual(graph.edges, [
      ['x', 'left'],
      ['x', 'right'],
      ['left', 'joined'],
      ['right', 'joined'],
      ['joined', 'out'],
    ]);
    assert.equal(graph.nodes[3]!.outputShape, '(None, 5)');

    // The copy is the last epoch's checkpoint, byte for byte, and survives the original.
    const copy = store.artifactFile(run.id, 'checkpoints/ckpt.keel')!;
    assert.deepEqual(readFileSync(copy), readFileSync(ckpt));
    const info = store.artifacts(run.id).find((a) => a.name === 'checkpoints/ckpt.keel')!;
    assert.equal(info.kind, 'file');
    assert.equal(info.bytes, readFileSync(ckpt).byteLength);
    rmSync(ckpt);
    assert.ok(existsSync(copy));

    const report = join(dir, 'report.txt');
    writeFileSync(report, 'hello');
    const late = new Tracking({ store, name: 'late' });
    await branchyModel().fit(x, y, { epochs: 1, batchSize: 8, verbose: 0, callbacks: [late] });
    late.logArtifact(report, 'notes/report.txt');
    assert.equal(
      readFileSync(store.artifactFile(late.runId!, 'notes/report.txt')!, 'utf8'),
      'hello',
    );
    assert.throws(() => late.logArtifact(report, '../escape'), /bad artifact name '\.\.\/escape'/);
    assert.throws(() => late.logArtifact(join(dir, 'nope')), /no file .*nope to record/);
    assert.throws(() => new Tracking({ dir: runs }).logArtifact(report), /the run has not started/);

    store.deleteRun(run.id);
    assert.ok(!existsSync(store.artifactsDir(run.id)), 'deleting a run deletes its files');
    store.close();
  });

  it('keel train records its checkpoint and model; keel runs artifacts lists and artifact writes them', () => {
    const runs = join(dir, 'cli');
    const config = tinyConfig(dir, 'arts', (c) => {
      c.fit.epochs = 2;
      c.data.limit = 200;
    });
    const r = keel(['train', config, '--tracking-dir', runs, '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const { runId } = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    const list = keel(['runs', 'artifacts', runId, '--dir', runs, '--json'], dir);
    assert.equal(list.status, 0, list.stderr);
    const artifacts = JSON.parse(list.stdout) as { name: string; kind: string; bytes: number }[];
    assert.deepEqual(
      artifacts.map((a) => `${a.name}:${a.kind}`),
      [
        'checkpoints/backup.keel:file',
        'evaluation:json',
        'graph:json',
        'model/arts.keel:file',
        'summary:text',
      ],
    );
    const got = keel(
      ['runs', 'artifact', runId, 'model/arts.keel', '-o', 'copy.keel', '--dir', runs],
      dir,
    );
    assert.equal(got.status, 0, got.stderr);
    assert.deepEqual(readFileSync(join(dir, 'copy.keel')), readFileSync(join(dir, 'arts.keel')));
    const summary = keel(['runs', 'artifact', runId, 'summary', '--dir', runs], dir);
    assert.match(summary.stdout, /Total params: 7,850/);
    const missing = keel(['runs', 'artifact', runId, 'model.keel', '--dir', runs], dir);
    assert.equal(missing.status, 2);
    assert.match(
      missing.stderr,
      /has no artifact 'model\.keel' \(it has: checkpoints\/backup\.keel, /,
    );
  });
});
