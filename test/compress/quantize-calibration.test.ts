import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calibrateUint8, entropyThreshold } from '../../src/compress/index.js';
import { tensor } from '../../src/tensor/create.js';
import '../../src/backends/index.js';

/** Laplace(0, 1) samples from a seeded LCG, plus `outliers` values at ±40. */
function laplace(n: number, outliers: number): Float32Array {
  let s = 12345;
  const u = () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s + 0.5) / 2 ** 32;
  };
  const out = new Float32Array(n + outliers);
  for (let i = 0; i < n; i++) {
    const v = u() - 0.5;
    out[i] = -Math.sign(v) * Math.log(1 - 2 * Math.abs(v));
  }
  for (let i = 0; i < outliers; i++) out[n + i] = i % 2 ? 40 : -40;
  return out;
}

/** Mean squared error of quantize-dequantize with a calibration. */
function mse(x: Float32Array, c: { scale: number; zeroPoint: number }): number {
  let e = 0;
  for (const v of x) {
    const q = Math.min(255, Math.max(0, Math.round(v / c.scale) + c.zeroPoint));
    e += (c.scale * (q - c.zeroPoint) - v) ** 2;
  }
  return e / x.length;
}

describe('calibrateUint8', () => {
  const x = laplace(200_000, 6);

  it('min-max takes the whole range, widened to 0', () => {
    const c = calibrateUint8(x);
    assert.equal(c.min, -40);
    assert.equal(c.max, 40);
    assert.equal(c.scale, Math.fround(80 / 255));
    assert.equal(c.zeroPoint, Math.round(40 / c.scale)); // 40 / f32(80 / 255) is just below 127.5
    const pos = calibrateUint8([tensor([1, 2]), tensor([3])]);
    assert.deepEqual([pos.min, pos.max, pos.zeroPoint], [1, 3, 0]);
    assert.equal(pos.scale, Math.fround(3 / 255));
  });

  it('percentile and entropy give tighter ranges than min-max on Laplace with outliers', () => {
    const minmax = calibrateUint8(x);
    const pct = calibrateUint8(x, { method: 'percentile', percentile: 99.99 });
    const kl = calibrateUint8(x, { method: 'entropy' });
    // Laplace(0, 1): P(|x| > t) = e^-t, so the 99.99th percentile is ln(5000) ≈ 8.5.
    assert.ok(Math.abs(pct.max - Math.log(5000)) < 1.5, `percentile max ${pct.max}`);
    assert.ok(Math.abs(pct.min + Math.log(5000)) < 1.5, `percentile min ${pct.min}`);
    assert.ok(kl.max < 20 && kl.max > 3, `entropy threshold ${kl.max}`);
    assert.equal(kl.min, -kl.max);
    // The bulk of the distribution (the outliers aside) gets a finer grid.
    const bulk = x.subarray(0, 200_000);
    assert.ok(mse(bulk, pct) < mse(bulk, minmax) / 4, 'percentile error below 1/4 of min-max');
    assert.ok(mse(bulk, kl) < mse(bulk, minmax) / 4, 'entropy error below 1/4 of min-max');
  });

  it('entropy keeps the whole range of a distribution without outliers', () => {
    const u = new Float32Array(4096).map((_, i) => (i / 4095) * 2 - 1);
    assert.ok(entropyThreshold(u) > 0.9, 'uniform data is not clipped');
    assert.equal(entropyThreshold(new Float32Array(10)), 0);
  });

  it('rejects empty, non-finite samples and bad options, naming the argument', () => {
    assert.throws(() => calibrateUint8(new Float32Array(0)), /calibrateUint8: samples are empty/);
    assert.throws(() => calibrateUint8([]), /calibrateUint8: samples are empty/);
    assert.throws(
      () => calibrateUint8(tensor([1, Number.NaN])),
      /calibrateUint8: samples hold NaN/,
    );
    assert.throws(
      () => calibrateUint8(x, { method: 'percentile', percentile: 20 }),
      /percentile must be in \(50, 100\]/,
    );
    assert.throws(
      () => calibrateUint8(x, { method: 'kl' as 'entropy' }),
      /method must be 'minmax', 'percentile' or 'entropy'/,
    );
    assert.throws(
      () => calibrateUint8(x, { method: 'entropy', bins: 64 }),
      /bins \(64\) and quantizedBins \(128\)/,
    );
  });
});
