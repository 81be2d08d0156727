import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { mpirun, mpiUnavailable, relativeDifference, single } from './mpi-helpers.js';

const skip = mpiUnavailable() || false;
const dir = mkdtempSync(join(tmpdir(), 'keel-ddp-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  weights: number[][];
  history: Record<string, number[]>;
  evaluation: Record<string, number>;
  replicas: number;
}
const read = (file: string): Result => JSON.parse(readFileSync(file, 'utf8'));

describe('data parallel training', { skip }, () => {
  // 60 samples: global batches of 8 end with 4 rows, which 4 ranks split 1 each.
  const reference = join(dir, 'one.json');
  it('one process with batch 8 (the reference)', () => {
    const run = single('train-small.ts', ['--batch', '8', '--out', reference]);
    assert.equal(run.status, 0, run.stderr);
  });

  for (const n of [2, 4]) {
    it(`${n} processes with batch ${8 / n} give the same weights, loss and metrics`, () => {
      const out = join(dir, `${n}.json`);
      const run = mpirun(n, 'train-small.ts', ['--batch', String(8 / n), '--out', out]);
      assert.equal(run.status, 0, run.stderr);
      const one = read(reference);
      const many = read(out);
      assert.equal(many.replicas, n);
      const rel = relativeDifference(one.weights, many.weights);
      assert.ok(rel <= 1e-5, `relative weight difference ${rel}`);
      assert.ok(Math.abs(one.history['loss']![0]! - many.history['loss']![0]!) < 1e-5);
      assert.equal(one.history['accuracy']![0], many.history['accuracy']![0]);
      assert.ok(Math.abs(one.evaluation['loss']! - many.evaluation['loss']!) < 1e-5);
      assert.equal(one.evaluation['accuracy'], many.evaluation['accuracy']);
    });
  }

  it('2 processes train on their own shard files', () => {
    const shards = join(dir, 'shards');
    const save = single('train-small.ts', ['--save-shards', shards]);
    assert.equal(save.status, 0, save.stderr);
    assert.match(save.stdout, /(\d+) shards/);
    const out = join(dir, 'shards.json');
    const run = mpirun(2, 'train-small.ts', ['--batch', '4', '--shards', shards, '--out', out]);
    assert.equal(run.status, 0, run.stderr);
    const r = read(out);
    assert.equal(r.replicas, 2);
    assert.ok(Number.isFinite(r.history['loss']![0]), `loss ${r.history['loss']}`);
    assert.ok(r.weights.flat().every(Number.isFinite));
  });

  it('models that differ across ranks are refused at start, naming the ranks', () => {
    const run = mpirun(3, 'train-small.ts', ['--batch', '4', '--units-rank', '2']);
    assert.notEqual(run.status, 0);
    assert.match(
      run.stderr,
      /the model differs across ranks: rank 2 \(6 weights, checksum \d+\) vs rank 0/,
    );
  });
});
