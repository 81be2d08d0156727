import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  computeFans,
  constant,
  getInitializer,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  identity,
  lecunNormal,
  lecunUniform,
  ones,
  orthogonal,
  randomNormal,
  randomUniform,
  serializeInitializer,
  truncatedNormal,
  varianceScaling,
  zeros,
} from '../../../src/nn/initializers/index.js';
import { setSeed } from '../../../src/random/rng.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';

function stats(t: Tensor): { mean: number; variance: number; maxAbs: number } {
  let s = 0;
  let maxAbs = 0;
  for (const v of t.data) {
    s += v;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  const mean = s / t.size;
  let ss = 0;
  for (const v of t.data) ss += (v - mean) ** 2;
  return { mean, variance: ss / t.size, maxAbs };
}

/** Asserts sample mean ≈ 0 and variance within 3% of `variance` (200k+ samples: ~0.3% noise). */
function expectVariance(t: Tensor, variance: number, mean = 0): void {
  const s = stats(t);
  assert.ok(Math.abs(s.mean - mean) < 0.02 * Math.sqrt(variance), `mean ${s.mean}`);
  assert.ok(Math.abs(s.variance / variance - 1) < 0.03, `variance ${s.variance}, want ${variance}`);
}

describe('initializers', () => {
  it('compute fans as Keras does, with the receptive field for conv kernels', () => {
    assert.deepEqual(computeFans([]), { fanIn: 1, fanOut: 1 });
    assert.deepEqual(computeFans([5]), { fanIn: 5, fanOut: 5 });
    assert.deepEqual(computeFans([3, 4]), { fanIn: 3, fanOut: 4 });
    assert.deepEqual(computeFans([3, 3, 16, 32]), { fanIn: 144, fanOut: 288 });
    assert.deepEqual(computeFans([5, 2, 7]), { fanIn: 10, fanOut: 35 });
  });

  it('glorotUniform stays within sqrt(6 / (fanIn + fanOut)) with the uniform variance', () => {
    const w = glorotUniform()([400, 600], 'float32');
    const limit = Math.sqrt(6 / 1000);
    const s = stats(w);
    assert.ok(s.maxAbs <= limit && s.maxAbs > 0.999 * limit, `max |w| ${s.maxAbs}, limit ${limit}`);
    expectVariance(w, (limit * limit) / 3);
    const conv = glorotUniform()([3, 3, 16, 32], 'float32');
    assert.ok(stats(conv).maxAbs <= Math.sqrt(6 / (144 + 288)));
  });

  it('the variance-scaling presets have variance scale / fan (truncation corrected)', () => {
    const shape = [400, 600];
    expectVariance(glorotNormal()(shape, 'float32'), 2 / 1000);
    expectVariance(heNormal()(shape, 'float32'), 2 / 400);
    expectVariance(heUniform()(shape, 'float32'), 2 / 400);
    expectVariance(lecunNormal()(shape, 'float32'), 1 / 400);
    expectVariance(lecunUniform()(shape, 'float32'), 1 / 400);
    expectVariance(heNormal()([3, 3, 64, 400], 'float32'), 2 / 576);
    // Truncated at two standard deviations of the underlying normal.
    const std = Math.sqrt(2 / 400) / 0.87962566103423978;
    assert.ok(stats(heNormal()(shape, 'float32')).maxAbs <= 2 * std + 1e-6);
    expectVariance(
      varianceScaling({ scale: 3, mode: 'fan_out', distribution: 'untruncated_normal' })(
        shape,
        'float32',
      ),
      3 / 600,
    );
  });

  it('random and constant initializers follow their arguments and Keras defaults', () => {
    const shape = [500, 500];
    expectVariance(randomNormal()(shape, 'float32'), 0.05 ** 2);
    expectVariance(randomNormal({ mean: 1, stddev: 2 })(shape, 'float32'), 4, 1);
    const u = stats(randomUniform()(shape, 'float32'));
    assert.ok(u.maxAbs <= 0.05 && u.maxAbs > 0.0499, `randomUniform max |x| = ${u.maxAbs}`);
    const u2 = randomUniform({ minval: 2, maxval: 3 })([1000], 'float32');
    assert.ok(
      [...u2.data].every((v) => v >= 2 && v < 3),
      `randomUniform(2, 3) out of range`,
    );
    const t = truncatedNormal({ stddev: 0.1 })(shape, 'float32');
    assert.ok(stats(t).maxAbs <= 0.2 + 1e-7, `truncatedNormal max |x| = ${stats(t).maxAbs}`);
    expectVariance(t, 0.01 * 0.87962566103423978 ** 2);
    expectClose(zeros()([2, 3], 'float32'), [0, 0, 0, 0, 0, 0]);
    expectClose(ones()([2], 'float32'), [1, 1]);
    expectClose(constant(0.5)([3], 'float32'), [0.5, 0.5, 0.5]);
    expectClose(identity({ gain: 2 })([2, 3], 'float32'), [2, 0, 0, 0, 2, 0]);
  });

  it('orthogonal gives orthonormal rows or columns, scaled by gain', () => {
    for (const [shape, gain] of [
      [[6, 4], 1],
      [[4, 6], 1],
      [[2, 3, 5], 2],
    ] as const) {
      const w = orthogonal({ gain })(shape, 'float32');
      assert.deepEqual(w.shape, shape);
      const cols = shape.at(-1)!;
      const rows = w.size / cols;
      const tall = rows >= cols;
      const k = Math.min(rows, cols);
      const n = Math.max(rows, cols);
      const at = (r: number, c: number) => w.data[r * cols + c]!;
      for (let i = 0; i < k; i++) {
        for (let j = 0; j < k; j++) {
          let dot = 0;
          for (let m = 0; m < n; m++) dot += tall ? at(m, i) * at(m, j) : at(i, m) * at(j, m);
          assert.ok(
            Math.abs(dot - (i === j ? gain * gain : 0)) < 1e-5,
            `Q^T Q [${i}, ${j}] = ${dot}`,
          );
        }
      }
    }
    assert.throws(
      () => orthogonal()([5], 'float32'),
      /Orthogonal: the weight must be at least two-dimensional, got \[5\]/,
    );
  });

  it('a seeded initializer repeats its values; unseeded ones follow the global seed', () => {
    const a = glorotUniform({ seed: 3 })([20, 30], 'float32');
    expectClose(glorotUniform({ seed: 3 })([20, 30], 'float32'), a);
    const init = heNormal({ seed: 3 });
    expectClose(init([4, 4], 'float32'), init([4, 4], 'float32'));
    assert.notDeepEqual([...glorotUniform({ seed: 4 })([20, 30], 'float32').data], [...a.data]);
    setSeed(11);
    const b = randomNormal()([10], 'float32');
    const b2 = randomNormal()([10], 'float32');
    assert.notDeepEqual([...b.data], [...b2.data]);
    setSeed(11);
    expectClose(randomNormal()([10], 'float32'), b);
    assert.throws(
      () => glorotUniform({ seed: 1.5 }),
      /GlorotUniform: seed must be an integer, got 1.5/,
    );
  });

  it('getInitializer accepts camelCase, snake_case, class names, configs and functions', () => {
    for (const name of ['glorotUniform', 'glorot_uniform', 'GlorotUniform'] as const) {
      assert.equal((getInitializer(name) as { className?: string }).className, 'GlorotUniform');
    }
    assert.equal((getInitializer('he_normal') as { className?: string }).className, 'HeNormal');
    const c = getInitializer({ className: 'Constant', config: { value: 3 } });
    expectClose(c([2], 'float32'), [3, 3]);
    const fn = (shape: readonly number[]) => ones()(shape, 'float32');
    assert.equal(getInitializer(fn), fn);
    assert.throws(
      // @ts-expect-error: a misspelled name (rejected at run time too)
      () => getInitializer('glorot'),
      /Unknown initializer 'glorot'; valid names: glorotUniform, glorotNormal, /,
    );
  });

  it('serializes to {className, config} and back', () => {
    for (const init of [
      glorotUniform({ seed: 2 }),
      randomNormal({ mean: 1, stddev: 0.5 }),
      varianceScaling({ scale: 2, mode: 'fanAvg', distribution: 'uniform' }),
      constant(0.25),
      orthogonal({ gain: 3 }),
    ]) {
      const s = serializeInitializer(init);
      const back = getInitializer(JSON.parse(JSON.stringify(s)));
      assert.deepEqual(serializeInitializer(back), s);
    }
    assert.deepEqual(serializeInitializer(varianceScaling()), {
      className: 'VarianceScaling',
      config: { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal', seed: null },
    });
    assert.deepEqual(serializeInitializer(heUniform()), {
      className: 'HeUniform',
      config: { seed: null },
    });
    assert.throws(
      () => serializeInitializer((s, d) => zeros()(s, d)),
      /custom initializer function cannot be serialized/,
    );
  });

  it('rejects invalid arguments naming the initializer', () => {
    assert.throws(
      () => varianceScaling({ mode: 'fan_sideways' }),
      /VarianceScaling: mode must be 'fanIn', 'fanOut' or 'fanAvg'/,
    );
    assert.throws(() => varianceScaling({ scale: 0 }), /VarianceScaling: scale must be > 0/);
    assert.throws(
      () => randomUniform({ minval: 1, maxval: 0 }),
      /RandomUniform: maxval \(0\) must be >= minval \(1\)/,
    );
    assert.throws(() => randomNormal({ stddev: -1 }), /RandomNormal: stddev must be >= 0/);
  });
});
