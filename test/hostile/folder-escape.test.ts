/**
 * A model folder's files may not lead out of it: tfjs weight shard paths with '..', absolute
 * paths and symlinks pointing outside are refused (the real path is checked, not the string);
 * a symlink that stays inside still loads.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadTfjsModel, saveTfjsModel } from '../../src/io/tfjs/tfjs-format.js';
import { Sequential } from '../../src/models/sequential.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { resolveInside } from '../../src/utils/safe-file.js';
import '../../src/backends/index.js';

describe('hostile: folder escape', () => {
  const root = mkdtempSync(join(tmpdir(), 'keel-escape-'));
  after(() => rmSync(root, { recursive: true, force: true }));
  const outside = join(root, 'secret.bin');
  writeFileSync(outside, Buffer.alloc(16));
  const dir = join(root, 'model');
  mkdirSync(dir);

  /** model.json naming `paths`, with one float32 [4] weight. */
  function manifest(paths: string[]): string {
    const path = join(dir, 'model.json');
    writeFileSync(
      path,
      JSON.stringify({
        modelTopology: { class_name: 'Sequential', config: { layers: [] } },
        weightsManifest: [{ paths, weights: [{ name: 'k', shape: [4], dtype: 'float32' }] }],
      }),
    );
    return path;
  }

  it("refuses '..', absolute paths and symlinks out of the model folder", () => {
    const m = manifest(['../secret.bin']);
    assert.throws(() => loadTfjsModel(m), /must be relative and stay in the model's directory/);
    manifest([outside]);
    assert.throws(() => loadTfjsModel(m), /must be relative/);
    manifest(['sub/../../secret.bin']);
    assert.throws(() => loadTfjsModel(m), /must be relative/);
    symlinkSync(outside, join(dir, 'link.bin'));
    manifest(['link.bin']);
    assert.throws(
      () => loadTfjsModel(m),
      /link\.bin' resolves to .*secret\.bin, outside the model folder/,
    );
    // A symlinked sub-folder pointing out is refused the same way.
    symlinkSync(root, join(dir, 'up'));
    manifest(['up/secret.bin']);
    assert.throws(() => loadTfjsModel(m), /outside the model folder/);
  });

  it('a symlink that stays inside the folder loads', () => {
    const inner = join(root, 'inner');
    mkdirSync(inner);
    const model = new Sequential([new Dense(2, { inputShape: [3] })]);
    const path = saveTfjsModel(model, inner);
    assert.ok(path.endsWith('model.json'));
    const loaded = loadTfjsModel(path);
    assert.deepEqual([...loaded.weights[0]!.data], [...model.weights[0]!.data]);
    assert.equal(resolveInside(inner, 'model.json', 't'), join(inner, 'model.json'));
    symlinkSync(join(inner, 'model.json'), join(inner, 'alias.json'));
    assert.equal(resolveInside(inner, 'alias.json', 't'), join(inner, 'model.json'));
    assert.throws(() => resolveInside(inner, '', 't'), /must be relative/);
    assert.throws(() => resolveInside(inner, 'a\0b', 't'), /must be relative/);
  });
});
