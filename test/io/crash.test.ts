import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { readSafetensors } from '../../src/io/safetensors-read.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { trainRun } from './fixtures/train-run.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-crash-'));
const child = (name: string) => join(import.meta.dirname, 'fixtures', name);

function bits(ts: readonly Tensor[]): Buffer {
  return Buffer.concat(
    ts.map((t) => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
  );
}

function run(argv: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', ...argv], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const exited = (p: ChildProcess) =>
  new Promise<number | null>((resolve) => p.on('exit', (code) => resolve(code)));

describe('crash safety (child processes killed with SIGKILL)', () => {
  it('a run killed with SIGKILL mid-epoch resumes to the same weights bit for bit', async () => {
    const expected = bits((await trainRun(null)).getWeights());
    const backupDir = join(dir, 'kill-backup');
    const backup = join(backupDir, 'backup.keel');
    const out = join(dir, 'resumed.safetensors');
    const p = run([child('train-child.ts'), backupDir, out, '20']);
    const code = exited(p);
    // Kill after epoch 1's fifth batch: past a batch-level backup, in the middle of an epoch.
    await new Promise<void>((resolve) => {
      let text = '';
      p.stdout!.on('data', (d: Buffer) => {
        text += d.toString();
        if (text.includes('1:4\n')) resolve();
      });
    });
    assert.ok(p.kill('SIGKILL'), 'the child was still running when killed');
    assert.equal(await code, null, 'the child died of the signal');
    assert.ok(existsSync(backup), 'a backup exists after the kill');
    const state = JSON.parse(readSafetensors(backup).metadata['training_state']!);
    assert.ok(
      state.epoch >= 1 && state.step > 0,
      `the backup is mid-epoch: ${JSON.stringify(state)}`,
    );
    console.log(`killed after a backup at epoch ${state.epoch}, batch ${state.step}; resuming`);
    assert.equal(await exited(run([child('train-child.ts'), backupDir, out, '0'])), 0);
    assert.ok(!existsSync(backup), 'the finished run deleted its backup');
    const resumed = readSafetensors(out);
    const keys = JSON.parse(resumed.metadata['weights']!) as string[];
    assert.ok(bits(keys.map((k) => resumed.tensors.get(k)!)).equals(expected));
  });

  it('a process killed while saving leaves the old or the new complete file, never a torn one', async () => {
    const path = join(dir, 'loop.keel');
    const p = run([child('save-loop-child.ts'), path]);
    await new Promise<void>((resolve) => p.stdout!.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 50)); // hundreds of saves in, at an arbitrary moment
    p.kill('SIGKILL');
    await exited(p);
    const model = loadModel(path);
    const w = model.getWeights()[0]!.data;
    assert.ok(w.every((v) => v === w[0]) && (w[0] === 0 || w[0] === 1));
  });
});
