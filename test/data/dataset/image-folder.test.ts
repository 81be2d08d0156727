import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { Dataset } from '../../../src/data/dataset/dataset.js';
import type { Tensor } from '../../../src/tensor/tensor.js';

function png(w: number, h: number, value: number): Buffer {
  const img = new PNG({ width: w, height: h });
  img.data.fill(value);
  for (let i = 3; i < img.data.length; i += 4) img.data[i] = 255;
  return PNG.sync.write(img);
}

function jpg(w: number, h: number, value: number): Buffer {
  const data = Buffer.alloc(w * h * 4, value);
  return jpeg.encode({ data, width: w, height: h }, 95).data;
}

describe('Dataset.imageFolder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'keel-img-'));
  mkdirSync(join(dir, 'cat'));
  mkdirSync(join(dir, 'dog'));
  writeFileSync(join(dir, 'cat', 'a.png'), png(4, 4, 200));
  writeFileSync(join(dir, 'dog', 'b.jpg'), jpg(8, 8, 100));
  writeFileSync(join(dir, 'dog', 'notes.txt'), 'ignored');

  it('decodes PNG and JPEG, labels from sorted sub-folders, resizes', async () => {
    const ds = Dataset.imageFolder(dir, { channels: 1, imageSize: [4, 4] });
    assert.deepEqual(ds.classNames, ['cat', 'dog']);
    const items = (await ds.toArray()) as { x: Tensor; y: Tensor }[];
    assert.equal(items.length, 2);
    assert.deepEqual(items[0]!.x.shape, [4, 4, 1]);
    assert.ok(Math.abs(items[0]!.x.data[0]! - 200) < 1);
    assert.ok(Math.abs(items[1]!.x.data[5]! - 100) < 4);
    assert.deepEqual([...items[1]!.y.data], [1]);
    const batch = (await ds.batch(2).toArray())[0] as { x: Tensor };
    assert.deepEqual(batch.x.shape, [2, 4, 4, 1]);
  });

  it('an unreadable image is an error naming its path, or skipped', async () => {
    const bad = mkdtempSync(join(tmpdir(), 'keel-img-bad-'));
    mkdirSync(join(bad, 'x'));
    writeFileSync(join(bad, 'x', 'ok.png'), png(2, 2, 10));
    writeFileSync(join(bad, 'x', 'z-broken.png'), Buffer.from('\x89PNG\r\n\x1a\nnot really'));
    await assert.rejects(Dataset.imageFolder(bad).toArray(), /cannot decode .*z-broken\.png/);
    const skipped: string[] = [];
    const ok = await Dataset.imageFolder(bad, {
      badImages: 'skip',
      onSkip: (p) => skipped.push(p),
    }).toArray();
    assert.equal(ok.length, 1);
    assert.match(skipped[0]!, /z-broken\.png$/);
    assert.throws(() => Dataset.imageFolder(join(bad, 'x')), /has no class sub-folders/);
  });
});
