import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import '../../../src/backends/index.js';
import { Dataset } from '../../../src/data/dataset/dataset.js';
import { tensor } from '../../../src/tensor/create.js';
import { Tensor } from '../../../src/tensor/tensor.js';

const root = mkdtempSync(join(tmpdir(), 'keel-shards-'));
after(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const fresh = () => join(root, `d${dirs++}`);

/** 50 elements {x: float32 [3], y: int}: x = [i, i + 0.5, -i], y = i. */
const rows = (n = 50) =>
  Dataset.fromGenerator(() =>
    Array.from({ length: n }, (_, i) => ({ x: tensor([i, i + 0.5, -i], [3]), y: i })),
  );
const ids = (els: unknown[]) => els.map((e) => (e as { y: number }).y);

describe('Dataset.saveShards / fromShards', () => {
  it('round-trips tensors and plain values across several files, in order', async () => {
    const dir = fresh();
    const written = await rows().saveShards(dir, { shardBytes: 400 });
    assert.equal(written.elements, 50);
    assert.ok(written.files.length >= 4, `only ${written.files.length} files`);
    assert.deepEqual(
      readdirSync(dir).sort(),
      written.files.map((f) => f.slice(dir.length + 1)),
    );
    assert.match(written.files[0]!, /shard-00000\.keel$/);
    const back = Dataset.fromShards(dir);
    assert.equal(back.size, 50);
    const els = (await back.toArray()) as { x: Tensor; y: number }[];
    assert.deepEqual(ids(els), [...Array(50).keys()]);
    assert.ok(els[7]!.x instanceof Tensor);
    assert.deepEqual([...els[7]!.x.shape], [3]);
    assert.deepEqual([...(els[7]!.x.data as Float32Array)], [7, 7.5, -7]);
    // A glob in the file name selects the same files.
    assert.equal(Dataset.fromShards(join(dir, 'shard-*.keel')).size, 50);
    assert.equal(Dataset.fromShards(join(dir, 'shard-0000?.keel')).size, back.size);
  });

  it('splits the files among readers: disjoint, together everything', async () => {
    const dir = fresh();
    const { files } = await rows().saveShards(dir, { shardBytes: 300 });
    const seen: number[] = [];
    for (let r = 0; r < 3; r++) {
      const part = Dataset.fromShards(dir, { numShards: 3, index: r });
      const got = ids(await part.toArray());
      assert.equal(part.size, got.length);
      assert.ok(got.length > 0);
      seen.push(...got);
    }
    assert.deepEqual(
      seen.sort((a, b) => a - b),
      [...Array(50).keys()],
    );
    assert.throws(
      () => Dataset.fromShards(dir, { numShards: files.length + 1, index: 0 }),
      new RegExp(
        `${files.length} files match .*too few to split among ${files.length + 1} readers`,
      ),
    );
    assert.throws(() => Dataset.fromShards(dir, { numShards: 2, index: 2 }), /index must be/);
  });

  it('shuffles files and records per pass, reproducibly from the seed', async () => {
    const dir = fresh();
    await rows().saveShards(dir, { shardBytes: 300 });
    const a = Dataset.fromShards(dir, { shuffle: true, seed: 3 });
    const b = Dataset.fromShards(dir, { shuffle: true, seed: 3 });
    const a1 = ids(await a.toArray());
    const a2 = ids(await a.toArray());
    assert.deepEqual(a1, ids(await b.toArray()));
    assert.deepEqual(a2, ids(await b.toArray()));
    assert.notDeepEqual(a1, [...Array(50).keys()]);
    assert.notDeepEqual(a1, a2);
    assert.deepEqual(
      [...a1].sort((x, y) => x - y),
      [...Array(50).keys()],
    );
    // Not only the files move: some record leaves its file's original run.
    const first = Dataset.fromShards(join(dir, 'shard-00000.keel'), { shuffle: true, seed: 3 });
    const ordered = ids(await Dataset.fromShards(join(dir, 'shard-00000.keel')).toArray());
    assert.notDeepEqual(ids(await first.toArray()), ordered);
  });

  it('a pattern that matches no files errors with the pattern', async () => {
    const dir = fresh();
    await rows(5).saveShards(dir);
    const pattern = join(dir, 'train-*.keel');
    assert.throws(
      () => Dataset.fromShards(pattern),
      (e: Error) => e.message.includes(`no shard files match '${pattern}'`),
    );
    const missing = join(root, 'nowhere', '*.keel');
    assert.throws(() => Dataset.fromShards(missing), /no shard files match .*does not exist/);
    assert.throws(() => Dataset.fromShards(join(root, '*', 'x.keel')), /wildcards .* file name/);
  });

  it('refuses to overwrite shards, foreign files and damaged shards', async () => {
    const dir = fresh();
    await rows(5).saveShards(dir);
    await assert.rejects(rows(5).saveShards(dir), /already holds 1 'shard-\*\.keel' shard files/);
    // Another prefix can share the directory.
    await rows(3).saveShards(dir, { prefix: 'valid' });
    assert.equal(Dataset.fromShards(join(dir, 'valid-*.keel')).size, 3);
    await assert.rejects(rows(3).saveShards(fresh(), { shardBytes: 0 }), /shardBytes must be/);

    writeFileSync(join(dir, 'junk.keel'), 'not a shard');
    assert.throws(() => Dataset.fromShards(dir), /junk\.keel is not a Keel shard file/);
    const damaged = join(dir, 'shard-00000.keel');
    truncateSync(damaged, 40);
    await assert.rejects(
      Dataset.fromShards(damaged).toArray(),
      /shard-00000\.keel is truncated or damaged/,
    );
  });

  it('an empty dataset writes no files; an interrupted write leaves no partial shard', async () => {
    const empty = fresh();
    assert.deepEqual(await rows(0).saveShards(empty), { files: [], elements: 0 });
    const dir = fresh();
    const failing = Dataset.fromGenerator(function* () {
      yield { y: 1 };
      throw new Error('source failed');
    });
    await assert.rejects(failing.saveShards(dir), /source failed/);
    assert.deepEqual(readdirSync(dir), []);
    assert.ok(!existsSync(join(dir, 'shard-00000.keel')));
  });
});
