/** The progress of `keel quantize` calibration and `keel tune`, seen from the real binary (issue 16). */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keel, tinyConfig } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-progress-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const env = { KEEL_NUM_THREADS: '1' };

describe('keel quantize progress', () => {
  let config = '';
  before(() => {
    // Two Dense layers on 300 digits: two calibration batches of at most 256, two layers to range.
    config = tinyConfig(dir, 'mlp', (c) => {
      c.data = { dataset: 'mnist', limit: 300, testLimit: 50 };
      c.model.layers.splice(1, 0, { className: 'Dense', config: { units: 8, activation: 'relu' } });
      c.fit.verbose = 0;
    });
    const r = keel(['train', config], dir, env);
    assert.equal(r.status, 0, r.stderr);
  });

  it('static calibration prints batches and layers calibrated, off a terminal as plain lines', () => {
    const args = ['quantize', 'mlp.keel', '--config', config, '--calibration-samples', '300'];
    const r = keel(args, dir, env);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Calibrating activations 0\/2 - layer flatten$/m);
    assert.match(r.stdout, /^Calibrating activations 2\/2 - layer dense_1$/m);
    assert.match(r.stdout, /^Calibrating ranges 0\/2 - layer dense$/m);
    assert.match(r.stdout, /^Calibrating ranges 2\/2 - layer dense_1$/m);
    // progress comes before the report, and no bar-drawing escapes reach a pipe
    assert.ok(r.stdout.indexOf('Calibrating') < r.stdout.indexOf('Test accuracy'), r.stdout);
    assert.ok(!r.stdout.includes('\r') && !r.stdout.includes('\x1b['), 'no escapes');
    // --json: stdout is exactly one JSON document, and nothing is drawn on stderr either
    const json = keel([...args, '--json', '-o', 'json.keel'], dir, env);
    assert.equal(json.status, 0, json.stderr);
    assert.equal(JSON.parse(json.stdout).calibrationSamples, 300);
    assert.doesNotMatch(json.stdout + json.stderr, /Calibrating/);
  });
});

describe('keel tune progress', () => {
  const config = join(process.cwd(), 'test', 'tune', 'fixtures', 'tiny-tune.json');

  it('shows trials done / max trials, the best so far and epochs of trials run on workers', () => {
    const r = keel(
      ['tune', config, '--max-trials', '2', '--workers', '2', '--directory', join(dir, 'a')],
      dir,
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Tuning 0\/2 - trial [01] epoch 1\/2, val_accuracy [0-9.]+$/m);
    const done = [
      ...r.stdout.matchAll(/^Tuning (\d)\/2 - best val_accuracy: ([0-9.]+) - trial \d complete$/gm),
    ];
    assert.deepEqual(
      done.map((m) => m[1]),
      ['1', '2'],
      r.stdout,
    );
    const best = Number(/^Best val_accuracy: ([0-9.]+)$/m.exec(r.stdout)![1]);
    assert.equal(Number(done[1]![2]), Number(best.toFixed(4)));
  });

  it('--json draws no progress on stdout or stderr', () => {
    const r = keel(
      ['tune', config, '--max-trials', '1', '--directory', join(dir, 'b'), '--json'],
      dir,
      env,
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).trials, { complete: 1 });
    assert.match(r.stderr, /Trial 0 complete/);
    assert.doesNotMatch(r.stdout + r.stderr, /Tuning/);
  });
});
