import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distributed } from '../../src/index.js';
import { mpirun, mpiUnavailable } from './mpi-helpers.js';

const skip = mpiUnavailable() || false;

describe('distributed collectives', () => {
  it('init without a launcher names the environment it looked for', () => {
    const saved = distributed.LAUNCHER_VARIABLES.map((v) => [v, process.env[v]] as const);
    for (const [v] of saved) delete process.env[v];
    try {
      assert.throws(
        () => distributed.init(),
        /not started by an MPI launcher \(none of OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK is set\).*keel launch/,
      );
    } finally {
      for (const [v, value] of saved) if (value !== undefined) process.env[v] = value;
    }
  });

  it('allreduce, broadcast, allgather and barrier agree on 3 ranks', { skip }, () => {
    const run = mpirun(3, 'collectives.ts', []);
    assert.equal(run.status, 0, run.stderr);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l))
      .sort((a, b) => a.rank - b.rank);
    assert.equal(out.length, 3);
    for (const o of out) {
      assert.equal(o.size, 3);
      assert.deepEqual(o.sum, [6, 6]); // 1+2+3, 0+2+4
      assert.deepEqual(o.mean, [1, 10]);
      assert.equal(o.max, 2);
      assert.deepEqual(o.bytes, [7, 8, 9]);
      assert.deepEqual(o.gathered, [0, 1, 3, 4, 6, 7]);
      assert.deepEqual(o.big, [6, 6]);
      assert.match(o.error, /allreduce: buffer must be a Float32Array, Float64Array, Int32Array/);
    }
    assert.deepEqual(
      out.map((o) => o.localRank),
      [0, 1, 2],
    );
  });

  it('a collective that one rank never joins times out naming the waiting rank', { skip }, () => {
    const run = mpirun(2, 'collectives.ts', ['--hang'], 60_000);
    assert.notEqual(run.status, 0);
    assert.match(
      run.stderr,
      /rank 0 of 2 failed: Error: keel distributed barrier: barrier \(collective #\d+\) did not complete within 3 s on rank 0 of 2/,
    );
    assert.ok(run.seconds < 40, `the job took ${run.seconds} s to fail`);
  });
});
