import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { StudyStore } from '../../src/tune/storage.js';
import { interruptKeel } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-tune-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const keel = join(process.cwd(), 'bin', 'keel.mjs');
const config = join(process.cwd(), 'test', 'tune', 'fixtures', 'tiny-tune.json');
const run = (...args: string[]) =>
  spawnSync(process.execPath, [keel, 'tune', ...args], {
    encoding: 'utf8',
    env: { ...process.env, KEEL_NUM_THREADS: '1' },
  });

describe('keel tune', () => {
  it('runs a config and ends with the best value and the winning hyperparameters as JSON', () => {
    const r = run(config, '--max-trials', '2', '--directory', dir);
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const best = /^Best val_accuracy: ([0-9.]+)$/.exec(lines.at(-2)!);
    assert.ok(best, r.stdout);
    const params = JSON.parse(lines.at(-1)!);
    assert.deepEqual(Object.keys(params), ['units', 'learningRate']);
    assert.match(r.stdout, /Trial 1 complete/);
    // the study is stored: a second run with a larger budget resumes it (trials 0 and 1 are not run again)
    // --json: one JSON line on stdout, the trial lines on stderr
    const again = run(config, '--max-trials', '3', '--directory', dir, '--json');
    assert.equal(again.status, 0, again.stderr);
    assert.doesNotMatch(again.stderr, /Trial [01] /);
    assert.match(again.stderr, /Trial 2 complete/);
    const result = JSON.parse(again.stdout);
    assert.deepEqual(result.trials, { complete: 3 });
    assert.equal(result.objective, 'val_accuracy');
    assert.deepEqual(Object.keys(result.bestParams), ['units', 'learningRate']);
    assert.ok(result.best > 0.5 && result.best <= 1, `best ${result.best}`);
  });

  it('prints the Pareto front of a multi-objective search (TPE from the command line)', () => {
    const fixture = join(process.cwd(), 'test', 'tune', 'fixtures', 'tiny-space.ts');
    const pareto = join(dir, 'pareto.json');
    writeFileSync(
      pareto,
      JSON.stringify({
        build: fixture,
        data: { module: fixture, export: 'data' },
        objective: ['val_accuracy', 'params'],
        epochs: 1,
        projectName: 'pareto',
      }),
    );
    const r = run(pareto, '--max-trials', '4', '--algorithm', 'tpe', '--directory', dir);
    assert.equal(r.status, 0, r.stderr);
    const head = /^Pareto front \(val_accuracy max, params min\): (\d+) trials$/m.exec(r.stdout);
    assert.ok(head, r.stdout);
    const rows = [...r.stdout.matchAll(/^ {2}trial \d+: val_accuracy=([0-9.]+) params=(\d+) \{/gm)];
    assert.equal(rows.length, Number(head[1]));
    // no row dominates another: sorted by size, accuracy strictly rises
    const points = rows.map((m) => [Number(m[1]), Number(m[2])]).sort((a, b) => a[1]! - b[1]!);
    for (let i = 1; i < points.length; i++)
      assert.ok(points[i]![0]! > points[i - 1]![0]! || points[i]![1] === points[i - 1]![1]);
  });

  it('exits 2 naming the problem for a bad config or option', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ build: 'x.ts', data: 'x.ts', objective: 'val_accuracy', maxTrails: 3 }),
    );
    const r = run(bad);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown key\(s\) maxTrails/);
    const o = run(config, '--max-trials', '0');
    assert.equal(o.status, 2);
    assert.match(o.stderr, /--max-trials needs an integer >= 1, got '0'/);
  });

  it('Ctrl-C to the process group stops the search (workers told by the parent); rerunning resumes with no duplicate trial', async () => {
    const fixture = join(process.cwd(), 'test', 'tune', 'fixtures', 'tiny-space.ts');
    const slow = join(dir, 'slow.json');
    writeFileSync(
      slow,
      JSON.stringify({
        build: fixture,
        data: { module: fixture, export: 'slowData' },
        objective: 'val_accuracy',
        epochs: 2,
        batchSize: 4,
        seed: 1,
        projectName: 'slow',
      }),
    );
    const args = ['tune', slow, '--max-trials', '3', '--workers', '2', '--directory', dir];
    // As a terminal's Ctrl-C: SIGINT to the search and its workers once the first trial finished.
    const r = await interruptKeel(args, dir, /Trial \d+ complete/, {
      group: true,
      env: { KEEL_NUM_THREADS: '1' },
    });
    assert.equal(r.code, 130, r.stderr);
    assert.match(r.stderr, /study 'slow' was interrupted; trials [\d, ]+ were stopped/);
    assert.match(r.stderr, /resume with: keel tune .*slow\.json --max-trials 3 --workers 2/);
    const store = new StudyStore(join(dir, 'tuning.db'));
    const states = store.listTrials('slow').map((t) => t.state);
    store.close();
    assert.ok(states.includes('interrupted'), `states ${states}`);
    assert.ok(!states.includes('failed'), `states ${states}`);
    const again = run(...args.slice(1));
    assert.equal(again.status, 0, again.stderr);
    assert.match(
      again.stdout,
      /Resuming study 'slow': trials [\d, ]+ were interrupted and run again/,
    );
    const finished = new StudyStore(join(dir, 'tuning.db'));
    const trials = finished.listTrials('slow');
    finished.close();
    assert.deepEqual(
      trials.map((t) => [t.number, t.state]),
      [
        [0, 'complete'],
        [1, 'complete'],
        [2, 'complete'],
      ],
    );
    for (const t of trials) assert.equal(t.intermediate.length, 2, `trial ${t.number} epochs`);
  });
});
