import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keel, tinyConfig } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-compress-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A small CNN (Conv2D, pooling, Dense) on 1,000 MNIST digits, so static mode has both kinds of layer. */
const cnn = (c: Record<string, any>) => {
  c.model.layers = [
    {
      className: 'Conv2D',
      config: { filters: 4, kernelSize: [3, 3], activation: 'relu', inputShape: [28, 28, 1] },
    },
    { className: 'MaxPooling2D', config: { poolSize: [2, 2] } },
    { className: 'Flatten' },
    { className: 'Dense', config: { units: 10, activation: 'softmax' } },
  ];
  c.fit.verbose = 0;
};

/** A distillation config of the CNN teacher into a softmax regression, with `patch` applied. */
function distillConfig(name: string, patch: (c: Record<string, any>) => void = () => {}): string {
  const config: Record<string, any> = {
    name,
    seed: 1,
    teacher: 'cnn.keel',
    student: {
      layers: [
        { className: 'Flatten', config: { inputShape: [28, 28, 1] } },
        { className: 'Dense', config: { units: 10, activation: 'softmax' } },
      ],
    },
    data: { dataset: 'mnist', limit: 1000, testLimit: 200 },
    distill: { temperature: 2, alpha: 0.5 },
    fit: { epochs: 1, batchSize: 16, verbose: 0 },
  };
  patch(config);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

describe('keel quantize and keel distill', () => {
  before(() => {
    const r = keel(['train', tinyConfig(dir, 'cnn', cnn)], dir);
    assert.equal(r.status, 0, r.stderr);
    // 4 numeric features and a label: data of the wrong shape for the image models.
    const rows = Array.from({ length: 20 }, (_, i) => `${i},${i % 3},${i * 2},${i % 5},${i % 2}`);
    writeFileSync(join(dir, 'table.csv'), ['a,b,c,d,y', ...rows].join('\n'));
  });

  it('quantize --mode static calibrates, keeps the accuracy, writes a smaller file that evaluates', () => {
    const config = join(dir, 'cnn.json');
    const r = keel(['quantize', 'cnn.keel', '--config', config, '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.mode, 'static');
    assert.equal(out.output, 'cnn-int8.keel');
    assert.deepEqual(out.quantized, ['conv2d', 'dense']);
    assert.equal(out.samples, 200);
    assert.ok(
      Math.abs(out.after.accuracy - out.before.accuracy) <= 0.03,
      JSON.stringify(out.before) + JSON.stringify(out.after),
    );
    assert.ok(out.modelBytes.after * 2.5 < out.modelBytes.before, JSON.stringify(out.modelBytes));
    const e = keel(['evaluate', 'cnn-int8.keel', '--config', config, '--json'], dir);
    assert.equal(e.status, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).accuracy, out.after.accuracy);
  });

  it('quantize --mode dynamic runs without data and quantizes the Dense layers only', () => {
    const r = keel(['quantize', 'cnn.keel', '--mode', 'dynamic', '-o', 'dyn.keel'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /dense \(QuantizedDense\): int8/);
    assert.match(r.stdout, /conv2d \(Conv2D\): float/);
    assert.match(r.stdout, /File: cnn\.keel \d+ bytes -> dyn\.keel \d+ bytes/);
    assert.ok(existsSync(join(dir, 'dyn.keel')));
  });

  it('quantize rejects a missing file, a misspelt option or mode, and data of the wrong shape (exit 2)', () => {
    const missing = keel(['quantize', 'nope.keel', '--dataset', 'mnist'], dir);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such model file or folder: nope\.keel/);
    const option = keel(['quantize', 'cnn.keel', '--calibraton-samples', '10'], dir);
    assert.equal(option.status, 2);
    assert.match(option.stderr, /unknown option '--calibraton-samples'/);
    assert.match(option.stderr, /Did you mean --calibration-samples\?/);
    const mode = keel(['quantize', 'cnn.keel', '--mode', 'statc', '--dataset', 'mnist'], dir);
    assert.equal(mode.status, 2);
    assert.match(
      mode.stderr,
      /--mode must be static or dynamic, got 'statc' \(did you mean 'static'\?\)/,
    );
    const noData = keel(['quantize', 'cnn.keel'], dir);
    assert.equal(noData.status, 2);
    assert.match(noData.stderr, /--mode static needs calibration data/);
    const shape = keel(['quantize', 'cnn.keel', '--csv', 'table.csv', '--label', 'y'], dir);
    assert.equal(shape.status, 2);
    assert.match(shape.stderr, /expects samples of shape \[28, 28, 1\].*the data has \[4\]/);
  });

  it('distill trains the student from the teacher, prints the report and saves a student that evaluates', () => {
    const config = distillConfig('student');
    const r = keel(['distill', config, '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.teacher, 'cnn.keel');
    assert.equal(out.output, 'student.keel');
    assert.ok(out.after.accuracy > 0.5, JSON.stringify(out.after));
    assert.ok(Number.isFinite(out.before.accuracy));
    // without a compile section the student is compiled with the teacher's loss and metrics
    const e = keel(['evaluate', 'student.keel', '--config', join(dir, 'cnn.json'), '--json'], dir);
    assert.equal(e.status, 0, e.stderr);
    assert.equal(JSON.parse(e.stdout).accuracy, out.after.accuracy);
  });

  it('distill rejects an unknown config key, a missing teacher and mismatched shapes (exit 2)', () => {
    const key = keel(
      [
        'distill',
        distillConfig('typo', (c) => {
          c.distill.temprature = 2;
        }),
      ],
      dir,
    );
    assert.equal(key.status, 2);
    assert.match(key.stderr, /unknown key 'distill\.temprature' \(did you mean 'temperature'\?\)/);
    const missing = keel(
      [
        'distill',
        distillConfig('missing', (c) => {
          c.teacher = 'nope.keel';
        }),
      ],
      dir,
    );
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such model file or folder: nope\.keel/);
    const input = keel(
      [
        'distill',
        distillConfig('input', (c) => {
          c.student.layers[0].config.inputShape = [28, 28, 3];
        }),
      ],
      dir,
    );
    assert.equal(input.status, 2);
    assert.match(
      input.stderr,
      /student: the model expects samples of shape \[28, 28, 3\].*the data has \[28, 28, 1\]/,
    );
    const classes = keel(
      [
        'distill',
        distillConfig('classes', (c) => {
          c.student.layers[1].config.units = 5;
        }),
      ],
      dir,
    );
    assert.equal(classes.status, 2);
    assert.match(
      classes.stderr,
      /Distiller: the teacher .* outputs \[\*, 10\] but the student .* outputs \[\*, 5\]/,
    );
    const noConfig = keel(['distill', 'nope.json'], dir);
    assert.equal(noConfig.status, 2);
    assert.match(noConfig.stderr, /no such config file: nope\.json/);
  });
});
