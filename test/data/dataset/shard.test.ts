import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dataset } from '../../../src/index.js';

describe('Dataset.shard', () => {
  it('splits elements round robin; the shards together are the dataset', async () => {
    const ds = Dataset.fromGenerator([0, 1, 2, 3, 4, 5, 6]);
    const shards = await Promise.all([0, 1, 2].map((i) => ds.shard(3, i).toArray()));
    assert.deepEqual(shards, [
      [0, 3, 6],
      [1, 4],
      [2, 5],
    ]);
    assert.deepEqual(
      [0, 1, 2].map((i) => ds.shard(3, i).size),
      [3, 2, 2],
    );
  });

  it('rejects a bad count or index, naming the argument', () => {
    const ds = Dataset.fromGenerator([1, 2]);
    assert.throws(() => ds.shard(0, 0), /Dataset.shard: numShards must be an integer >= 1, got 0/);
    assert.throws(
      () => ds.shard(2, 2),
      /Dataset.shard: index must be an integer in \[0, 2\), got 2/,
    );
  });
});
