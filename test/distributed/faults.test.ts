import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { describeFailure, launch } from '../../src/distributed/index.js';
import { FIXTURES, mpiUnavailable, relativeDifference } from './mpi-helpers.js';

const skip = mpiUnavailable() || false;
const dir = mkdtempSync(join(tmpdir(), 'keel-faults-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const script = join(FIXTURES, 'train-small.ts');
const quiet = () => {};

describe('faults', () => {
  it("names the rank in mpirun's reports", () => {
    assert.equal(
      describeFailure(
        'mpirun noticed that process rank 1 with PID 4242 on node vm exited on signal 9 (Killed).',
      ),
      'rank 1 (pid 4242 on vm) was killed by signal 9 (Killed)',
    );
    assert.equal(
      describeFailure(
        'MPI_ABORT was invoked on rank 3 in communicator MPI_COMM_WORLD\nwith errorcode 1.',
      ),
      'rank 3 failed (exit code 1; its error is printed above)',
    );
    assert.equal(describeFailure('nothing useful'), null);
  });

  it('a rank killed mid-epoch fails the job fast; --max-restarts 1 resumes to the same weights', {
    skip,
  }, async () => {
    process.env['KEEL_NUM_THREADS'] = '1';
    const common = ['--epochs', '2', '--batch', '4'];
    const clean = join(dir, 'clean.json');
    const ok = await launch({ nproc: 2, script, args: [...common, '--out', clean], log: quiet });
    assert.equal(ok.exitCode, 0);

    const t0 = performance.now();
    const failed = await launch({
      nproc: 2,
      script,
      args: [...common, '--backup', join(dir, 'b1'), '--die-at', '1:1:3'],
      log: quiet,
    });
    assert.notEqual(failed.exitCode, 0);
    assert.match(failed.failure ?? '', /^rank 1 \(pid \d+ on \S+\) was killed by signal 9/);
    assert.ok((performance.now() - t0) / 1000 < 60, 'the failed job did not end fast');

    const resumed = join(dir, 'resumed.json');
    const result = await launch({
      nproc: 2,
      script,
      args: [...common, '--backup', join(dir, 'b2'), '--die-at', '1:1:3', '--out', resumed],
      maxRestarts: 1,
      log: quiet,
    });
    assert.equal(result.exitCode, 0);
    assert.equal(result.attempts, 2);
    const a = JSON.parse(readFileSync(clean, 'utf8'));
    const b = JSON.parse(readFileSync(resumed, 'utf8'));
    assert.equal(relativeDifference(a.weights, b.weights), 0);
  });
});
