import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { getRng, Rng, setSeed } from '../../src/random/rng.js';
import { randomNormal, randomUniform, truncatedNormal } from '../../src/random/tensors.js';

describe('random numbers', () => {
  it('setSeed makes draws reproducible', () => {
    setSeed(42);
    const a = randomUniform([100]);
    setSeed(42);
    const b = randomUniform([100]);
    assert.deepEqual(Array.from(a.data), Array.from(b.data));
    setSeed(43);
    assert.notDeepEqual(Array.from(randomUniform([100]).data), Array.from(a.data));
  });

  it('draws with the right moments and ranges', () => {
    const rng = new Rng(7);
    const n = randomNormal([20000], 1, 2, { rng });
    let mean = 0;
    for (const v of n.data) mean += v / n.size;
    let variance = 0;
    for (const v of n.data) variance += (v - mean) ** 2 / n.size;
    assert.ok(Math.abs(mean - 1) < 0.05, `mean ${mean}`);
    assert.ok(Math.abs(Math.sqrt(variance) - 2) < 0.05, `std ${Math.sqrt(variance)}`);
    const u = randomUniform([5000], -3, -1, { rng });
    assert.ok(u.data.every((v) => v >= -3 && v < -1));
    const t = truncatedNormal([5000], 0, 1, { rng });
    assert.ok(t.data.every((v) => Math.abs(v) <= 2));
  });

  it('permutation is a permutation', () => {
    const p = getRng().permutation(1000);
    assert.deepEqual(
      [...p].sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it('rejects a non-finite seed', () => {
    assert.throws(() => setSeed(Number.NaN), /setSeed: seed must be a finite number/);
  });
});
