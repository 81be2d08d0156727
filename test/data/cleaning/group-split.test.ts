import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  duplicateGroups,
  groupSplit,
  leakageFreeSplit,
  nearDuplicateTexts,
} from '../../../src/data/cleaning/index.js';
import { Rng } from '../../../src/random/rng.js';

describe('honest splits', () => {
  it('duplicate groups are the connected components of the pairs', () => {
    assert.deepEqual(
      [
        ...duplicateGroups(6, [
          [4, 1],
          [2, 0],
          [1, 5],
        ]),
      ],
      [0, 1, 0, 2, 1, 1],
    );
    assert.deepEqual([...duplicateGroups(3, [])], [0, 1, 2]);
    assert.throws(
      () => duplicateGroups(3, [[0, 3]]),
      /duplicateGroups: pair \[0, 3\] is not two indices in \[0, 3\)/,
    );
  });

  it('a group split never puts one group on both sides', () => {
    const rng = new Rng(4);
    const groups = Int32Array.from({ length: 1000 }, () => rng.int(150));
    const { train, test } = groupSplit(groups, { testFraction: 0.25, seed: 2 });
    assert.equal(train.length + test.length, 1000);
    assert.ok(Math.abs(test.length - 250) < 15, `test size ${test.length}`);
    const testGroups = new Set([...test].map((i) => groups[i]));
    for (const i of train) assert.ok(!testGroups.has(groups[i]!), `group ${groups[i]} straddles`);
    assert.throws(
      () => groupSplit(groups, { testFraction: 1 }),
      /testFraction must lie in \(0, 1\)/,
    );
  });

  it('leakageFreeSplit keeps exact and near-duplicate texts on one side', () => {
    const rng = new Rng(7);
    const words = Array.from({ length: 300 }, (_, i) => `w${i}`);
    const base = Array.from({ length: 60 }, () =>
      Array.from({ length: 40 }, () => words[rng.int(words.length)]).join(' '),
    );
    // Each base text, an exact copy of a third of them, a one-word edit of another third.
    const texts = [...base];
    base.forEach((t, i) => {
      if (i % 3 === 0) texts.push(t);
      if (i % 3 === 1) texts.push(`${t} extra`);
    });
    const { train, test, groups } = leakageFreeSplit(texts, { testFraction: 0.3, seed: 1 });
    assert.equal(new Set(groups).size, 60);
    const pick = (ix: Int32Array) => [...ix].map((i) => texts[i]!);
    assert.deepEqual(nearDuplicateTexts(pick(train), pick(test)), []);
    // A random split of the same texts leaks.
    const perm = new Rng(1).permutation(texts.length);
    const leaky = nearDuplicateTexts(pick(perm.slice(30)), pick(perm.slice(0, 30)));
    assert.ok(leaky.length > 0);
  });
});
