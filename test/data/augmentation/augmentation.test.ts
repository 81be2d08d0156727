import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  cutmix,
  cutout,
  eda,
  mixup,
  randomDeletion,
  randomSwap,
  synonyms,
} from '../../../src/data/augmentation/index.js';
import { Rng } from '../../../src/random/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';

const images = (n: number, h: number, w: number) =>
  new Tensor(
    Float32Array.from({ length: n * h * w }, (_, i) => Math.floor(i / (h * w)) + 1),
    [n, h, w, 1],
    'float32',
  );
const oneHot = (labels: number[], k: number) =>
  new Tensor(
    Float32Array.from(
      labels.flatMap((l) => Array.from({ length: k }, (_, j) => (j === l ? 1 : 0))),
    ),
    [labels.length, k],
    'float32',
  );

describe('batch augmentation', () => {
  it('mixup blends inputs and labels with the same weights', () => {
    const { x, y } = mixup(images(8, 2, 2), oneHot([0, 1, 2, 0, 1, 2, 0, 1], 3), {
      alpha: 0.4,
      rng: new Rng(1),
    });
    for (let i = 0; i < 8; i++) {
      const rowSum = y.data[i * 3]! + y.data[i * 3 + 1]! + y.data[i * 3 + 2]!;
      assert.ok(Math.abs(rowSum - 1) < 1e-5, `labels of ${i} sum to ${rowSum}`);
      assert.ok(x.data[i * 4]! >= 1 && x.data[i * 4]! <= 8, 'a blend of two images');
    }
    assert.throws(
      () => mixup(images(2, 2, 2), oneHot([0], 2)),
      /mixup: expected x \[batch, \.\.\.\] and one-hot/,
    );
  });

  it('cutmix pastes a box and mixes labels by area; cutout zeroes holes', () => {
    const x = images(4, 8, 8);
    const { x: mixed, y } = cutmix(x, oneHot([0, 1, 2, 3], 4), { rng: new Rng(3) });
    for (let i = 0; i < 4; i++) {
      const own = [...mixed.data.subarray(i * 64, (i + 1) * 64)].filter((v) => v === i + 1).length;
      assert.ok(
        Math.abs(y.data[i * 4 + i]! - own / 64) < 1e-6 || y.data[i * 4 + i] === 1,
        `label weight of ${i} is its kept area`,
      );
    }
    const holes = cutout(x, { size: 4, rng: new Rng(1) });
    const zeros = [...holes.data.subarray(0, 64)].filter((v) => v === 0).length;
    assert.ok(zeros > 0 && zeros <= 16, `zeros ${zeros}`);
  });
});

describe('EDA text augmentation', () => {
  it('finds WordNet synonyms from the packaged database', () => {
    const s = synonyms('quick');
    assert.ok(s.includes('speedy') && s.includes('fast'), `synonyms of quick: ${s.join(', ')}`);
    assert.deepEqual(synonyms('xqzzyv'), []);
  });

  it('makes numAug seeded variants with the four operations', () => {
    const sentence = 'click here to win a free prize and claim your money today';
    const a = eda(sentence, { numAug: 8, rng: new Rng(4) });
    assert.equal(a.length, 8);
    assert.deepEqual(eda(sentence, { numAug: 8, rng: new Rng(4) }), a);
    assert.ok(
      a.every((v) => v !== sentence || v.length > 0),
      'variants are sentences',
    );
    assert.ok(
      a.some((v) => v !== sentence),
      'something changed',
    );
    const words = sentence.split(' ');
    assert.deepEqual([...randomSwap(words, 3, new Rng(1))].sort(), [...words].sort());
    assert.ok(
      randomDeletion(words, 0.5, new Rng(1)).length < words.length,
      'deletion removes words',
    );
    assert.deepEqual(randomDeletion(['one'], 0.9, new Rng(1)), ['one']);
  });
});
