import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { mnist } from '../../src/data/datasets/mnist.js';
import { samplePng } from '../../src/tracking/evaluation.js';
import { keel, keelAsync, tinyConfig } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-train-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('keel train, evaluate, predict, convert', () => {
  let trained = '';
  before(() => {
    const r = keel(['train', tinyConfig(dir, 'tiny')], dir);
    assert.equal(r.status, 0, r.stderr);
    trained = r.stdout;
  });

  it("train prints the examples' Test accuracy line, writes the model file, and evaluate agrees", () => {
    assert.match(trained, /Test loss: [\d.]+\nTest accuracy: (0\.\d+)\nSaved tiny\.keel\n$/);
    const accuracy = Number(/Test accuracy: ([\d.]+)/.exec(trained)![1]);
    assert.ok(accuracy > 0.6, `accuracy ${accuracy}`);
    assert.ok(existsSync(join(dir, 'tiny.keel')));
    assert.ok(!existsSync(join(dir, 'tiny.keel.backup', 'backup.keel')), 'the backup is removed');
    const r = keel(['evaluate', 'tiny.keel', '--config', join(dir, 'tiny.json'), '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const scores = JSON.parse(r.stdout);
    // The same test samples and weights: evaluate reproduces train's test score.
    assert.equal(scores.samples, 200);
    assert.equal(scores.accuracy, accuracy);
  });

  it('rejects an unknown config key or layer option, naming it with a suggestion (exit 2)', () => {
    const bad = tinyConfig(dir, 'typo', (c) => {
      c.fit.epoch = 1;
    });
    const r = keel(['train', bad], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown key 'fit\.epoch' \(did you mean 'epochs'\?\)/);
    const layer = tinyConfig(dir, 'layer-typo', (c) => {
      c.model.layers[1].config.activaton = 'softmax';
    });
    const l = keel(['train', layer], dir);
    assert.equal(l.status, 2);
    assert.match(
      l.stderr,
      /model\.layers\[1\]: Dense has no option 'activaton' \(did you mean 'activation'\?\)/,
    );
  });

  it('reports a missing file and data of the wrong shape with exit code 2', () => {
    const missing = keel(['train', join(dir, 'nope.json')], dir);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such config file: .*nope\.json/);
    const shape = tinyConfig(dir, 'shape', (c) => {
      c.model.layers[0].config.inputShape = [28, 28, 3];
    });
    const r = keel(['train', shape], dir);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /expects samples of shape \[28, 28, 3\].*the data has \[28, 28, 1\]/);
  });

  it('predict reads images, JSON and CSV and writes CSV or JSON', () => {
    const { xTest, yTest } = mnist();
    const images = join(dir, 'digits');
    mkdirSync(images);
    for (let i = 0; i < 6; i++) {
      const png = Buffer.from(samplePng(xTest, i).split(',')[1]!, 'base64');
      writeFileSync(join(images, `digit-${i}-label-${yTest.data[i]}.png`), png);
    }
    const csv = keel(['predict', 'tiny.keel', images], dir);
    assert.equal(csv.status, 0, csv.stderr);
    const lines = csv.stdout.trim().split('\n');
    assert.equal(lines[0], 'input,class,p0,p1,p2,p3,p4,p5,p6,p7,p8,p9');
    assert.equal(lines.length, 7);
    for (const line of lines.slice(1)) {
      const probs = line.split(',').slice(2).map(Number);
      assert.ok(Math.abs(probs.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    }
    const samples = Array.from({ length: 3 }, (_, i) =>
      Array.from({ length: 28 }, (_, r) =>
        Array.from({ length: 28 }, (_, c) => [xTest.data[i * 784 + r * 28 + c]!]),
      ),
    );
    writeFileSync(join(dir, 'samples.json'), JSON.stringify(samples));
    const json = keel(['predict', 'tiny.keel', 'samples.json', '-o', 'out.json'], dir);
    assert.equal(json.status, 0, json.stderr);
    const rows = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    assert.equal(rows.length, 3);
    // The PNG round trip (8-bit pixels) keeps the predicted class of the same digits.
    const fromImages = lines.slice(1, 4).map((l) => Number(l.split(',')[1]));
    assert.deepEqual(
      rows.map((r: { class: number }) => r.class),
      fromImages,
    );
    writeFileSync(join(dir, 'flat.csv'), 'a,b,c\n1,2,3\n4,5,6\n');
    const wrong = keel(['predict', 'tiny.keel', 'flat.csv'], dir);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /expects samples of shape \[28, 28, 1\].*the data has \[3\]/);
  });

  it('convert writes ONNX that summary reads back, and will not overwrite a file', () => {
    const r = keel(['convert', 'tiny.keel', '--to', 'onnx', '-o', 'tiny.onnx', '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), {
      input: 'tiny.keel',
      format: 'onnx',
      output: 'tiny.onnx',
    });
    const s = keel(['summary', 'tiny.onnx', '--json'], dir);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(JSON.parse(s.stdout).params, 784 * 10 + 10);
    const again = keel(['convert', 'tiny.keel', '--to', 'onnx', '-o', 'tiny.onnx'], dir);
    assert.equal(again.status, 2);
    assert.match(again.stderr, /tiny\.onnx exists; pass --force/);
  });

  it('inspect-data reports findings (exit 1 at --fail-on) and prune reaches its sparsity', () => {
    const inspect = keel(
      [
        'inspect-data',
        '--dataset',
        'mnist',
        '--limit',
        '300',
        '--no-near',
        '--fail-on',
        'warning',
        '--json',
      ],
      dir,
    );
    assert.equal(inspect.status, 1, 'MNIST has constant border pixels: a warning');
    const findings = JSON.parse(inspect.stdout).findings as { check: string; level: string }[];
    assert.ok(findings.some((f) => f.check === 'train/test leakage' && f.level === 'ok'));
    assert.ok(findings.some((f) => f.check === 'constant features' && f.level === 'warning'));
    assert.match(inspect.stderr, /constant features/);
    const prune = keel(
      [
        'prune',
        'tiny.keel',
        '--dataset',
        'mnist',
        '--limit',
        '256',
        '--sparsity',
        '0.5',
        '--epochs',
        '1',
        '--json',
      ],
      dir,
    );
    assert.equal(prune.status, 0, prune.stderr);
    const result = JSON.parse(prune.stdout);
    assert.ok(
      result.sparsity >= 0.45 && result.sparsity <= 0.5 + 1e-9,
      `sparsity ${result.sparsity}`,
    );
    assert.ok(existsSync(join(dir, 'tiny-pruned.keel')));
  });

  it('Ctrl-C saves a checkpoint and exits 130; the same command resumes (YAML config)', async () => {
    const yaml = join(dir, 'long.yaml');
    writeFileSync(
      yaml,
      [
        'name: long',
        'seed: 2',
        'data: { dataset: mnist, limit: 4000, testLimit: 100 }',
        'model:',
        '  layers:',
        '    - { className: Flatten, config: { inputShape: [28, 28, 1] } }',
        '    - { className: Dense, config: { units: 10, activation: softmax } }',
        'compile: { optimizer: adam, loss: categorical_crossentropy, metrics: [accuracy] }',
        'fit: { epochs: 200, batchSize: 8, verbose: 2 }',
      ].join('\n'),
    );
    const child = keelAsync(['train', yaml], dir);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (/Epoch 2\//.test(stdout)) {
          clearInterval(poll);
          resolve();
        }
      }, 50);
    });
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130, stderr);
    assert.match(stderr, /checkpoint saved to .*long\.keel\.backup/);
    assert.ok(existsSync(join(dir, 'long.keel.backup', 'backup.keel')));
    const resumed = keel(['train', yaml, '--epochs', '5', '--verbose', '2', '--json'], dir);
    assert.equal(resumed.status, 0, resumed.stderr);
    assert.match(resumed.stderr, /resuming from .*backup\.keel/);
    const lines = resumed.stdout.trim().split('\n');
    assert.ok(JSON.parse(lines.at(-1)!).test.accuracy > 0.5);
    assert.ok(lines.some((l) => l.startsWith('Epoch 5/5')));
    assert.ok(!lines.some((l) => l.startsWith('Epoch 1/5')), 'resumed, not restarted');
    assert.ok(!existsSync(join(dir, 'long.keel.backup', 'backup.keel')));
  });
});
