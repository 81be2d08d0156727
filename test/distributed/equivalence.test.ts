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

// Few process starts (each loads Keel through tsx, the bulk of the time): the reference process
// trains the three models and writes the shard files, one 2-process job trains the same three
// models and the shards run, one 4-process job the conv model, one 2-process job the mismatch.
describe('data parallel training', { skip }, () => {
  // 60 samples: global batches of 8 end with 4 rows, which 4 ranks split 1 each.
  const one = (model: string) => join(dir, `one-${model}.json`);
  const two = (model: string) => join(dir, `two-${model}.json`);
  const shards = join(dir, 'shards');
  it('one process with batch 8 (the reference), and the shard files', () => {
    const run = single('train-small.ts', [
      ...['--model', 'conv,lstm,gpt', '--batch', '8', '--out', join(dir, 'one.json')],
      ...['--save-shards', shards],
    ]);
    assert.equal(run.status, 0, run.stderr);
    assert.match(run.stdout, /(\d+) shards/);
  });

  it('2 processes with batch 4: every model of the reference, and the shards', () => {
    const run = mpirun(2, 'train-small.ts', [
      ...['--model', 'conv,lstm,gpt,shards', '--batch', '4', '--shards', shards],
      ...['--out', join(dir, 'two.json')],
    ]);
    assert.equal(run.status, 0, run.stderr);
  });

  for (const n of [2, 4]) {
    it(`${n} processes with batch ${8 / n} give the same weights, loss and metrics`, () => {
      let out = two('conv');
      if (n === 4) {
        out = join(dir, '4.json');
        const run = mpirun(n, 'train-small.ts', ['--batch', String(8 / n), '--out', out]);
        assert.equal(run.status, 0, run.stderr);
      }
      const a = read(one('conv'));
      const many = read(out);
      assert.equal(many.replicas, n);
      const rel = relativeDifference(a.weights, many.weights);
      assert.ok(rel <= 1e-5, `relative weight difference ${rel}`);
      assert.ok(relativeDifference(a.weights, a.initial) > 1e-3);
      assert.ok(Math.abs(a.history['loss']![0]! - many.history['loss']![0]!) < 1e-5);
      assert.equal(a.history['accuracy']![0], many.history['accuracy']![0]);
      assert.ok(Math.abs(a.evaluation['loss']! - many.evaluation['loss']!) < 1e-5);
      assert.equal(a.evaluation['accuracy'], many.evaluation['accuracy']);
    });
  }

  // Mixed layers: an LSTM over embeddings (the embedding's gradient is sparse) and a GPT block
  // (attention, layer norm, tied embeddings), 2 processes with batch 4 vs 1 with batch 8.
  for (const model of ['lstm', 'gpt']) {
    it(`${model}: 2 processes give the same weights and loss as 1`, () => {
      const [r1, r2] = [read(one(model)), read(two(model))];
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
    const r = read(two('shards'));
    assert.equal(r.replicas, 2);
    assert.ok(Number.isFinite(r.history['loss']![0]), `loss ${r.history['loss']}`);
    assert.ok(r.weights.flat().every(Number.isFinite));
    assert.ok(relativeDifference(r.weights, r.initial) > 1e-3);
  });

  it('models that differ across ranks are refused at start, naming the ranks', () => {
    const run = mpirun(2, 'train-small.ts', ['--batch', '4', '--units-rank', '1']);
    assert.notEqual(run.status, 0);
    assert.match(
      run.stderr,
      /the model differs across ranks: rank 1 \(6 weights, checksum \d+\) vs rank 0/,
    );
  });
});
