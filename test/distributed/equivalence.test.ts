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
  /** The weights before fit (built, not yet broadcast). */
  initial: number[][];
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

  // Mixed layers: an LSTM over embeddings (the embedding's gradient is sparse) and a GPT block
  // (attention, layer norm, tied embeddings), 2 processes with batch 4 vs 1 with batch 8.
  for (const model of ['lstm', 'gpt']) {
    it(`${model}: 2 processes give the same weights and loss as 1`, () => {
      const one = join(dir, `${model}-1.json`);
      const two = join(dir, `${model}-2.json`);
      const a = single('train-small.ts', ['--model', model, '--batch', '8', '--out', one]);
      assert.equal(a.status, 0, a.stderr);
      const b = mpirun(2, 'train-small.ts', ['--model', model, '--batch', '4', '--out', two]);
      assert.equal(b.status, 0, b.stderr);
      const [r1, r2] = [read(one), read(two)];
      assert.equal(r2.replicas, 2);
      const rel = relativeDifference(r1.weights, r2.weights);
      assert.ok(rel <= 1e-5, `relative weight difference ${rel}`);
      // Training moved the weights: the comparison is not of two initializations.
      assert.ok(relativeDifference(r1.weights, r1.initial) > 1e-3);
      assert.ok(Math.abs(r1.history['loss']![0]! - r2.history['loss']![0]!) < 1e-5);
      assert.ok(Math.abs(r1.evaluation['loss']! - r2.evaluation['loss']!) < 1e-5);
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
