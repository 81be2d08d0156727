/**
 * Ctrl-C on the real `keel` binary: SIGINT after the first progress output stops training after
 * the current batch, leaves a backup, prints the command that resumes and exits 130; running the
 * same command again resumes from the backup and completes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { interruptKeel, keel, tinyConfig } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-interrupt-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { KEEL_NUM_THREADS: '1' };

/** The checks every interrupted run shares: exit 130, the backup on disk, the resume command. */
function assertInterrupted(
  r: { code: number | null; stderr: string },
  backupDir: string,
  command: RegExp,
) {
  assert.equal(r.code, 130, r.stderr);
  assert.ok(existsSync(join(backupDir, 'backup.keel')), `no backup in ${backupDir}: ${r.stderr}`);
  assert.ok(
    readdirSync(backupDir).every((f) => !f.endsWith('.tmp')),
    'no temp file left behind',
  );
  assert.match(r.stderr, /resume with: keel /);
  assert.match(r.stderr, command);
}

describe('Ctrl-C in keel train, distill and prune', () => {
  before(() => {
    // The teacher and the model to prune: a softmax regression trained briefly.
    const config = tinyConfig(dir, 'teacher', (c) => {
      c.fit.epochs = 1;
    });
    const r = keel(['train', config], dir, env);
    assert.equal(r.status, 0, r.stderr);
  });

  it('train: two Ctrl-C in quick succession leave a usable backup (or none), never a torn one', async () => {
    const config = tinyConfig(dir, 'twice', (c) => {
      c.data = { dataset: 'mnist', limit: 4000, testLimit: 100 };
      c.fit = { epochs: 100, batchSize: 4, verbose: 2 };
    });
    const r = await interruptKeel(['train', config], dir, /Epoch 1\//, { signals: 2, env });
    assert.equal(r.code, 130, r.stderr);
    const backupDir = join(dir, 'twice.keel.backup');
    if (existsSync(backupDir))
      assert.ok(
        readdirSync(backupDir).every((f) => !f.endsWith('.tmp')),
        'no temp file left',
      );
    // The same data (a backup refuses other data); one epoch, so it ends soon.
    const resumed = keel(['train', config, '--epochs', '1', '--json'], dir, env);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.ok(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!).test.accuracy > 0.3);
  });

  it('distill: saves the student backup mid-epoch and the same command resumes and completes', async () => {
    const config = join(dir, 'distill.json');
    writeFileSync(
      config,
      JSON.stringify({
        teacher: 'teacher.keel',
        student: {
          layers: [
            { className: 'Flatten', config: { inputShape: [28, 28, 1] } },
            { className: 'Dense', config: { units: 10, activation: 'softmax' } },
          ],
        },
        data: { dataset: 'mnist', limit: 2000, testLimit: 100 },
        distill: { temperature: 2, alpha: 0.5 },
        fit: { epochs: 2, batchSize: 4, verbose: 2 },
        output: 'student.keel',
        seed: 3,
      }),
    );
    const r = await interruptKeel(['distill', config], dir, /Epoch 1\//, { env });
    assertInterrupted(r, join(dir, 'student.keel.backup'), /keel distill .*distill\.json/);
    const resumed = keel(['distill', config, '--json'], dir, env);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming from .*student\.keel\.backup/);
    assert.ok(existsSync(join(dir, 'student.keel')));
    assert.ok(
      !existsSync(join(dir, 'student.keel.backup')),
      'the backup is gone once it completes',
    );
    assert.ok(JSON.parse(resumed.stdout.trim().split('\n').at(-1)!).after.accuracy > 0.3);
  });

  it('prune: saves the weights, masks and pruning step; the resumed run reaches the target sparsity', async () => {
    const args = [
      'prune',
      'teacher.keel',
      '--dataset',
      'mnist',
      '--limit',
      '2000',
      '--sparsity',
      '0.5',
      '--epochs',
      '2',
      '--batch-size',
      '4',
      '--backup-dir',
      'prune-backup',
    ];
    const r = await interruptKeel(args, dir, /Epoch 1\//, { env });
    assertInterrupted(
      r,
      join(dir, 'prune-backup'),
      /keel prune teacher\.keel .*--backup-dir prune-backup/,
    );
    const resumed = keel([...args, '--json'], dir, env);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming from prune-backup/);
    const result = JSON.parse(resumed.stdout.trim().split('\n').at(-1)!);
    assert.ok(Math.abs(result.sparsity - 0.5) < 0.01, `sparsity ${result.sparsity}`);
    assert.ok(!existsSync(join(dir, 'prune-backup')));
  });
});
