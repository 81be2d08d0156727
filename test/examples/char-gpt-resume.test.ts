import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Rng } from '../../src/random/rng.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-char-gpt-resume-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const runner = join(import.meta.dirname, '..', '..', 'examples', 'run.ts');

// A small char-GPT (1 layer, width 32) for 24 iterations, checkpointed every 4.
const ITERS = 24;
const EVERY = 4;
const small = ['--iters', String(ITERS), '--layers', '1', '--hidden', '32', '--seed', '3'];

function example(args: string[]): { child: ChildProcess; output: () => string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', runner, 'char-gpt', ...small, ...args],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  return { child, output: () => text };
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));

describe('char-GPT example: killed with SIGKILL and restarted, it ends bit-identical', () => {
  it('resumes from its checkpoint to the weights of a run never stopped', async () => {
    // The kill point comes from KEEL_SEED (set by run-tests from KEEL_TEST_SEED): it reproduces.
    const rng = new Rng(Number(process.env['KEEL_SEED'] ?? 1));
    const killAfter = EVERY * (1 + rng.int(ITERS / EVERY - 2));
    const lagMs = rng.int(40);
    const straightOut = join(dir, 'straight.safetensors');
    const straight = example(['--save-weights', straightOut]);
    const straightExit = exited(straight.child);

    const checkpoint = join(dir, 'run.keel');
    const resumedOut = join(dir, 'resumed.safetensors');
    const args = ['--checkpoint', checkpoint, '--checkpoint-every', String(EVERY)];
    const killed = example([...args, '--save-weights', resumedOut]);
    const killedExit = exited(killed.child);
    await new Promise<void>((resolve, reject) => {
      killed.child.stdout!.on('data', () => {
        if (killed.output().includes(`checkpoint at iteration ${killAfter}\n`)) resolve();
      });
      killed.child.on('exit', () =>
        reject(new Error(`the run ended before its kill point:\n${killed.output()}`)),
      );
    });
    await new Promise((r) => setTimeout(r, lagMs));
    killed.child.kill('SIGKILL');
    assert.equal(await killedExit, null, 'the run died of the signal');

    const resumed = example([...args, '--save-weights', resumedOut]);
    assert.equal(await exited(resumed.child), 0, resumed.output());
    const at = /resuming from .* at iteration (\d+)/.exec(resumed.output());
    assert.ok(at && Number(at[1]) > killAfter, `it resumed after the kill point: ${at?.[0]}`);
    console.log(`killed after the checkpoint at iteration ${killAfter} + ${lagMs} ms; ${at[0]}`);
    assert.equal(await straightExit, 0, straight.output());
    assert.ok(
      readFileSync(resumedOut).equals(readFileSync(straightOut)),
      'the weights, bit for bit',
    );
    const testLoss = (text: string) => /Test loss: (.*)/.exec(text)?.[1];
    assert.equal(testLoss(resumed.output()), testLoss(straight.output()));
  });
});
