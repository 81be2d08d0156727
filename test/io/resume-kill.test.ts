import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readSafetensors } from '../../src/io/safetensors-read.js';
import { Callback } from '../../src/nn/callbacks/callback.js';
import { Rng } from '../../src/random/rng.js';
import { bits, type Outcome, trainCase } from './fixtures/resume-cases.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-resume-kill-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const childScript = join(import.meta.dirname, 'fixtures', 'resume-case-child.ts');

/** The SIGKILL subset of the resume matrix: every optimizer family, schedules, mid-cycle accumulation. */
const CASES: [opt: string, rate: string, accumulation: number][] = [
  ['SGD momentum nesterov', 'exponential', 3],
  ['RMSprop centered momentum', 'piecewise', 1],
  ['AdamW', 'warm-up cosine', 3],
];

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', childScript, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

class BatchCounter extends Callback {
  batches = 0;
  override onTrainBatchEnd(): void {
    this.batches++;
  }
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));

/** Starts the case in a child, kills it with SIGKILL once it reports batch `killAfter`. */
async function killAt(args: string[], killAfter: number, lagMs: number): Promise<void> {
  const p = run(args);
  const code = exited(p);
  let text = '';
  await new Promise<void>((resolve, reject) => {
    p.stdout!.on('data', (d: Buffer) => {
      text += d.toString();
      if (text.includes(`batch ${killAfter}\n`)) resolve();
    });
    p.on('exit', () => reject(new Error(`the child ended before batch ${killAfter}:\n${text}`)));
  });
  // The kill lands a little later: in the batch's wait, its backup or the next batch.
  await new Promise((r) => setTimeout(r, lagMs));
  p.kill('SIGKILL');
  assert.equal(await code, null, 'the child died of the signal');
}

describe('resume matrix, SIGKILL subset: a child killed mid-run resumes bit-identically', () => {
  it(`${CASES.length} cases killed at random batches`, async () => {
    const expected: Outcome[] = [];
    const points: number[] = [];
    // Kill points from KEEL_SEED (run-tests sets it from KEEL_TEST_SEED), so a failure reproduces;
    // a generator of their own, as trainCase reseeds the global one.
    const rng = new Rng(Number(process.env['KEEL_SEED'] ?? 1));
    const lags = CASES.map(() => rng.int(50));
    for (const [i, [opt, rate, accumulation]] of CASES.entries()) {
      const counter = new BatchCounter();
      expected.push(
        await trainCase(opt, rate, accumulation, join(dir, `straight-${i}`), 5, [counter]),
      );
      // After batch 2 or later (the report of batch k follows the backup of batch k - 1), before
      // the last.
      points.push(2 + rng.int(counter.batches - 2));
    }
    await Promise.all(
      CASES.map(async ([opt, rate, accumulation], i) => {
        const backupDir = join(dir, `case-${i}`);
        const out = join(dir, `case-${i}.json`);
        const args = (delay: number) => [
          opt,
          rate,
          String(accumulation),
          backupDir,
          out,
          String(delay),
        ];
        await killAt([...args(40), '5'], points[i]!, lags[i]!);
        assert.ok(existsSync(join(backupDir, 'backup.keel')), 'a backup survived the kill');
        const state = JSON.parse(
          readSafetensors(join(backupDir, 'backup.keel')).metadata['training_state']!,
        );
        console.log(
          `${opt} / ${rate} / accumulation ${accumulation}: killed after batch ${points[i]} + ${lags[i]} ms, backup at epoch ${state.epoch} batch ${state.step}`,
        );
        // Restarted from other initial weights: only the backup can make it match.
        assert.equal(await exited(run([...args(0), '77'])), 0);
      }),
    );
    for (const [i, [opt, rate, accumulation]] of CASES.entries()) {
      const name = `${opt} / ${rate} / accumulation ${accumulation}`;
      const resumed = JSON.parse(readFileSync(join(dir, `case-${i}.json`), 'utf8'));
      assert.equal(
        resumed.weights,
        bits(expected[i]!.weights).toString('base64'),
        `${name}: weights`,
      );
      assert.equal(resumed.iterations, expected[i]!.iterations, `${name}: iterations`);
      assert.equal(resumed.learningRate, expected[i]!.learningRate, `${name}: learning rate`);
      assert.equal(resumed.stoppedEpoch, expected[i]!.stoppedEpoch, `${name}: stopped epoch`);
      assert.deepEqual(resumed.history, expected[i]!.history, `${name}: history`);
    }
  });
});
