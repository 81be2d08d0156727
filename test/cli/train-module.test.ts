import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { keel } from './cli-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-cli-module-'));
after(() => rmSync(dir, { recursive: true, force: true }));
// A user's project of ES modules, as Keel's own examples are.
writeFileSync(join(dir, 'package.json'), '{ "type": "module" }');
const SRC = join(process.cwd(), 'src', 'index.js');

/** Writes a model module into the temp folder: `body` after the import of Keel. */
function module(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `import { layers, Sequential } from ${JSON.stringify(SRC)};\n${body}\n`);
  return path;
}

const MODEL = `new Sequential([
  new layers.Flatten({ inputShape: [28, 28, 1] }),
  new layers.Dense(10, { activation: 'softmax' }),
])`;
const DATA = `data: { dataset: 'mnist', limit: 1000, testLimit: 200 }`;

describe('keel train model.ts', () => {
  it('trains a module that compiles its model, prints Test accuracy and saves the file', () => {
    const path = module(
      'compiled.ts',
      `export function model() {
        const m = ${MODEL};
        m.compile({ optimizer: 'adam', loss: 'categorical_crossentropy', metrics: ['accuracy'] });
        return m;
      }
      export const config = { seed: 1, ${DATA}, fit: { epochs: 1, batchSize: 16, verbose: 0 } };`,
    );
    const r = keel(['train', path, '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(result.output, 'compiled.keel', 'named after the module');
    assert.ok(result.test.accuracy > 0.6, `accuracy ${result.test.accuracy}`);
    assert.ok(existsSync(join(dir, 'compiled.keel')));
    // evaluate reads the module's data section: the same test samples, the same score.
    const scores = keel(['evaluate', 'compiled.keel', '--config', path, '--json'], dir);
    assert.equal(scores.status, 0, scores.stderr);
    assert.equal(JSON.parse(scores.stdout).samples, 200);
    assert.equal(JSON.parse(scores.stdout).accuracy, result.test.accuracy);
    const text = keel(['train', path, '-o', 'again.keel'], dir);
    assert.equal(text.status, 0, text.stderr);
    assert.match(text.stdout, /Test loss: [\d.]+\nTest accuracy: 0\.\d+\nSaved again\.keel\n$/);
  });

  it('compiles an exported Model instance with the config.compile section (int labels)', () => {
    const path = module(
      'instance.ts',
      `export const model = ${MODEL};
      export const config = {
        name: 'inst', ${DATA},
        compile: { optimizer: 'adam', loss: 'sparse_categorical_crossentropy', metrics: ['accuracy'] },
        fit: { epochs: 1, batchSize: 16 },
      };`,
    );
    const r = keel(['train', path, '--json'], dir);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout.trim().split('\n').at(-1)!);
    assert.equal(result.output, 'inst.keel');
    assert.ok(result.test.accuracy > 0.6, `accuracy ${result.test.accuracy}`);
  });

  it('names what is wrong with a module (exit 2)', () => {
    const cases: [string, string, RegExp][] = [
      ['nomodel.ts', `export const config = { ${DATA} };`, /exports no 'model'.*it exports config/],
      ['noconfig.ts', `export const model = ${MODEL};`, /exports no 'config'/],
      [
        'typo.ts',
        `export const model = ${MODEL}; export const config = { ${DATA}, fitt: {} };`,
        /unknown key 'fitt' \(did you mean 'fit'\?\)/,
      ],
      [
        'uncompiled.ts',
        `export const model = ${MODEL}; export const config = { ${DATA} };`,
        /the model is not compiled; compile it in the module or export config\.compile/,
      ],
      [
        'notmodel.ts',
        `export const model = () => 42; export const config = { ${DATA} };`,
        /'model' must be a Keel Model or a function returning one, got number/,
      ],
      ['broken.ts', 'export const model = ;', /cannot import the module/],
    ];
    for (const [name, body, message] of cases) {
      const r = keel(['train', module(name, body)], dir);
      assert.equal(r.status, 2, `${name}: ${r.stderr}`);
      assert.match(r.stderr, message, name);
    }
    const missing = keel(['train', join(dir, 'nope.ts')], dir);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such model module: .*nope\.ts/);
  });
});
