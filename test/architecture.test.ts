/**
 * Keeps ARCHITECTURE.md's layering true: every import between src/ folders must go down the stack
 * or be one of the few exceptions the document names. A new upward import fails here, and either
 * the code or ARCHITECTURE.md (and this list) changes.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, it } from 'node:test';

/** Bottom to top. A folder may import any folder at its level or below. */
const LAYERS: readonly (readonly string[])[] = [
  ['utils', 'random', 'tensor'],
  ['backends'],
  ['autograd'],
  ['ops'],
  ['nn', 'text'],
  ['models'],
  ['data'],
  ['io'],
  ['compress', 'distributed'],
  ['tracking'],
  ['tune'],
  ['dashboard'],
  ['serve'],
  ['cli'],
];

/** The upward imports ARCHITECTURE.md lists ("Layers"), each with its reason there. */
const EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  ['tensor/tensor.ts -> autograd', 'a type-only reference to GradNode'],
  ['autograd/backward.ts -> ops', 'gradients of a shared tensor are summed with ops.add'],
  ['models/model.ts -> io', 'model.save / saveWeights / loadWeights, as in Keras'],
  ['models/model.ts -> data', 'fit/evaluate/predict accept a Dataset'],
  ['models/dataset-loop.ts -> data', 'the Dataset loop of fit/evaluate/predict'],
  [
    'nn/callbacks/index.ts -> io',
    'BackupAndRestore and ModelCheckpoint are callbacks that write files',
  ],
]);

function level(folder: string): number {
  const i = LAYERS.findIndex((l) => l.includes(folder));
  assert.ok(i >= 0, `src/${folder} is not in ARCHITECTURE.md's layers (test/architecture.test.ts)`);
  return i;
}

function files(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) files(p, out);
    else if (e.endsWith('.ts') && !e.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('architecture', () => {
  it('imports only down the layers, apart from the documented exceptions', () => {
    const upward: string[] = [];
    const used = new Set<string>();
    for (const file of files('src')) {
      const from = relative('src', file);
      const fromFolder = from.split('/')[0]!;
      if (!from.includes('/')) continue; // src/index.ts exports everything
      for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) {
        const target = normalize(join(dirname(from), m[1]!));
        const toFolder = target.split('/')[0]!;
        if (toFolder === fromFolder || level(toFolder) <= level(fromFolder)) continue;
        const key = `${from} -> ${toFolder}`;
        if (EXCEPTIONS.has(key)) used.add(key);
        else upward.push(`${from} imports ${target}`);
      }
    }
    assert.deepEqual(upward, [], 'upward imports');
    const stale = [...EXCEPTIONS.keys()].filter((k) => !used.has(k));
    assert.deepEqual(
      stale,
      [],
      'exceptions no longer needed: remove them here and in ARCHITECTURE.md',
    );
  });
});
