import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { getRng, Rng, setSeed } from '../../src/random/rng.js';
import { randomNormal, randomUniform, truncatedNormal } from '../../src/random/tensors.js';

/** The first uniform draw of a fresh process started with KEEL_SEED=seed, and its stderr. */
function firstDraw(seed: string): { value: string; warning: string } {
  const code = `import { getRng } from './src/random/rng.ts'; console.log(getRng().uniform());`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    env: { ...process.env, KEEL_SEED: seed },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return { value: r.stdout.trim(), warning: r.stderr };
}

describe('random numbers', () => {
  it('keeps randomUniform below maxval in float32 (a draw that would round up to it)', () => {
    const top = { uniform: () => 1 - 2 ** -53 } as unknown as Rng;
    assert.equal(randomUniform([1], 2, 3, { rng: top }).data[0], 2.999999761581421);
    assert.equal(randomUniform([1], -0.05, 0.05, { rng: top }).data[0], 0.04999999701976776);
    const mid = { uniform: () => 0.5 } as unknown as Rng;
    assert.equal(randomUniform([1], 2, 3, { rng: mid }).data[0], 2.5);
  });

  it('starts the global generator from KEEL_SEED, and warns about a bad one', () => {
    const a = firstDraw('5');
    assert.equal(firstDraw('5').value, a.value);
    assert.notEqual(firstDraw('6').value, a.value);
    assert.match(
      firstDraw('-1').warning,
      /ignoring KEEL_SEED=-1 \(expected a non-negative integer\)/,
    );
  });

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
