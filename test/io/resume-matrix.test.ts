import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Callback } from '../../src/nn/callbacks/callback.js';
import { bits, OPTIMIZERS, RATES, trainCase } from './fixtures/resume-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-resume-matrix-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const ACCUMULATION = [1, 3];

/** Thrown by Interrupt: a crash at a chosen batch, after the backup of the batch before. */
class Crash extends Error {}

class Interrupt extends Callback {
  seen = 0;
  constructor(private readonly at: number) {
    super();
  }
  override onTrainBatchBegin(): void {
    if (this.seen++ === this.at) throw new Crash(`interrupted before global batch ${this.at}`);
  }
}

describe('resume matrix: optimizer x rate x accumulation, dropout, EarlyStopping, ReduceLROnPlateau', () => {
  it('a run interrupted at a batch and resumed from its backup ends bit-identical', async () => {
    let cases = 0;
    let stopped = 0;
    let reduced = 0;
    let midCycle = 0;
    for (const opt of Object.keys(OPTIMIZERS)) {
      for (const rate of Object.keys(RATES)) {
        for (const accumulation of ACCUMULATION) {
          const name = `${opt} / ${rate} / accumulation ${accumulation}`;
          const base = join(dir, `case-${cases}`);
          const counter = new Interrupt(-1);
          const expected = await trainCase(opt, rate, accumulation, join(base, 'a'), 5, [counter]);
          // Crash before a batch that varies with the case: mid-epoch and at epoch starts, and
          // (accumulating over 3) in the middle of a cycle.
          const crashAt = 1 + ((cases * 5) % (counter.seen - 1));
          if (accumulation > 1 && crashAt % accumulation !== 0) midCycle++;
          const backupDir = join(base, 'b');
          await assert.rejects(
            trainCase(opt, rate, accumulation, backupDir, 5, [new Interrupt(crashAt)]),
            Crash,
          );
          const resumed = await trainCase(opt, rate, accumulation, backupDir, 77);
          assert.ok(
            bits(resumed.weights).equals(bits(expected.weights)),
            `${name}: weights (crash at ${crashAt})`,
          );
          assert.equal(resumed.learningRate, expected.learningRate, `${name}: learning rate`);
          assert.equal(resumed.iterations, expected.iterations, `${name}: iterations`);
          assert.equal(resumed.stoppedEpoch, expected.stoppedEpoch, `${name}: stopped epoch`);
          assert.deepEqual(resumed.history, expected.history, `${name}: history`);
          if (expected.stoppedEpoch > 0) stopped++;
          if ((expected.history['learning_rate'] ?? []).some((r, i, a) => i > 0 && r < a[i - 1]!))
            reduced++;
          cases++;
        }
      }
    }
    console.log(
      `resume matrix: ${cases} cases (${Object.keys(OPTIMIZERS).length} optimizers x ${Object.keys(RATES).length} rates x ${ACCUMULATION.length} accumulation settings), ${midCycle} saved mid-cycle, EarlyStopping stopped ${stopped}, ReduceLROnPlateau reduced in ${reduced}`,
    );
    assert.ok(midCycle > 0 && stopped > 0 && reduced > 0, 'the matrix exercises what it claims');
  });
});
