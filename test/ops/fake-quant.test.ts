import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { fakeQuant } from '../../src/ops/fake-quant.js';
import { fakeQuantLearnable } from '../../src/ops/fake-quant-learnable.js';
import { mul } from '../../src/ops/mul.js';
import { sum } from '../../src/ops/sum.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

const f32 = Math.fround;
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
/** The project's rule in float32, one element at a time. */
function fq(x: number, s: number, z: number, lo: number, hi: number): number {
  const q = Math.min(hi, Math.max(lo, roundHalfEven(f32(f32(x) / f32(s))) + z));
  return f32((q - z) * f32(s));
}
function leaf(values: number[], shape?: number[]): Tensor {
  const t = tensor(values, shape);
  t.requiresGrad = true;
  return t;
}

describe('fakeQuant', () => {
  it('rounds halves to even, clamps, and dequantizes (per tensor)', () => {
    const x = tensor([0.25, 0.75, 1.25, -0.25, -0.75, 3, -3, 2, 0]);
    const y = fakeQuant(x, { scale: 0.5, zeroPoint: 0, quantMin: -4, quantMax: 4 });
    assert.deepEqual(Array.from(y.data), [0, 1, 1, 0, -1, 2, -2, 2, 0]);
  });

  it('matches the float32 rule bit for bit with an asymmetric zero point', () => {
    const x = rand([5, 7], 4, -3, 3);
    const y = fakeQuant(x, { scale: 0.1, zeroPoint: 128, quantMin: 0, quantMax: 255 });
    assert.deepEqual(
      Array.from(y.data),
      Array.from(x.data, (v) => fq(v, 0.1, 128, 0, 255)),
    );
    // uint8 with zero point 128 holds [-12.8, 12.7]; 3 is inside, so only rounding changed x.
    assert.ok(y.data.some((v, i) => v !== x.data[i]));
  });

  it('quantizes per channel along axis (last and first)', () => {
    const x = rand([4, 3], 2, -4, 4);
    const scale = [0.5, 1, 0.25];
    const zeroPoint = [0, 1, -2];
    const y = fakeQuant(x, { scale, zeroPoint, quantMin: -8, quantMax: 7, axis: -1 });
    const want = Array.from(x.data, (v, i) => fq(v, scale[i % 3]!, zeroPoint[i % 3]!, -8, 7));
    assert.deepEqual(Array.from(y.data), want);
    const t = tensor(Array.from(x.data), [3, 4]);
    const y0 = fakeQuant(t, { scale, zeroPoint, quantMin: -8, quantMax: 7, axis: 0 });
    const want0 = Array.from(t.data, (v, i) =>
      fq(v, scale[Math.floor(i / 4)]!, zeroPoint[Math.floor(i / 4)]!, -8, 7),
    );
    assert.deepEqual(Array.from(y0.data), want0);
  });

  it('keeps rank 0, empty tensors and NaN', () => {
    const opts = { scale: 0.5, zeroPoint: 0, quantMin: -4, quantMax: 4 };
    assert.deepEqual(Array.from(fakeQuant(tensor(0.8), opts).data), [1]);
    assert.deepEqual(fakeQuant(tensor(new Float32Array(0), [0, 3]), opts).shape, [0, 3]);
    assert.ok(Number.isNaN(fakeQuant(tensor([Number.NaN]), opts).data[0]!));
    assert.deepEqual(Array.from(fakeQuant(tensor([Infinity, -Infinity]), opts).data), [2, -2]);
  });

  it('passes the gradient straight through inside the grid and exactly 0 outside', () => {
    // scale 0.5, [-4, 4]: r = round(2x); the grid's edges are r = ±4, i.e. |x| <= 2.25 (2.25 -> 4.5 -> 4).
    const x = leaf([0.3, -1.1, 2, 2.25, 2.26, -2.25, -2.26, 5, -9]);
    const w = tensor([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const y = fakeQuant(x, { scale: 0.5, zeroPoint: 0, quantMin: -4, quantMax: 4 });
    const [dx] = grad(sum(mul(y, w)), [x]) as [Tensor];
    assert.deepEqual(Array.from(dx.data), [1, 2, 3, 4, 0, 6, 0, 0, 0]);
  });

  it('masks per channel with each channel its own grid', () => {
    const x = leaf([1.4, 1.4, -0.6, -0.6], [2, 2]);
    // channel 0: scale 1, zp 0 in [-1, 1] -> r = 1, -1 inside; channel 1: scale 0.25 -> r = 6, -2: 6 outside.
    const y = fakeQuant(x, {
      scale: [1, 0.25],
      zeroPoint: [0, 0],
      quantMin: -2,
      quantMax: 2,
      axis: 1,
    });
    const [dx] = grad(sum(y), [x]) as [Tensor];
    assert.deepEqual(Array.from(dx.data), [1, 0, 1, 1]);
  });

  it('agrees with finite differences where the output is clamped (gradient 0)', () => {
    const x = tensor([3, 4, -5, 7]);
    expectGradOk((t) => fakeQuant(t, { scale: 0.5, zeroPoint: 0, quantMin: -4, quantMax: 4 }), [x]);
  });

  it('rejects bad arguments, naming the op and the argument', () => {
    const x = tensor([[1, 2]]);
    const base = { scale: 0.5, zeroPoint: 0, quantMin: -4, quantMax: 4 };
    assert.throws(
      () => fakeQuant(x, { ...base, scale: 0 }),
      /fakeQuant: scale must be finite and > 0/,
    );
    assert.throws(
      () => fakeQuant(x, { ...base, zeroPoint: 9 }),
      /fakeQuant: zeroPoint must be an integer in \[-4, 4\], got 9/,
    );
    assert.throws(() => fakeQuant(x, { ...base, quantMin: 4 }), /fakeQuant: quantMin and quantMax/);
    assert.throws(
      () => fakeQuant(x, { ...base, axis: 1 }),
      /fakeQuant: per-channel \(axis 1\) needs scale as an array.*\[1, 2\]/,
    );
    assert.throws(
      () => fakeQuant(x, { ...base, scale: [1, 2, 3], zeroPoint: [0, 0, 0], axis: 1 }),
      /fakeQuant: scale has 3 values; x \[1, 2\] has 2 channels along axis 1/,
    );
    assert.throws(() => fakeQuant(x, { ...base, scale: [1, 2], zeroPoint: [0, 0] }), /give axis/);
    assert.throws(() => fakeQuant(x, { ...base, axis: 2 }), /fakeQuant/);
    assert.throws(() => fakeQuant(tensor([1], [1], 'int32'), base), /fakeQuant.*x/);
  });
});

/** PyTorch's learnable fake-quant backward in float64 (per element), with Keel's x / scale. */
function lsqReference(
  x: number[],
  dy: number[],
  s: number,
  z: number,
  lo: number,
  hi: number,
  g: number,
) {
  let dScale = 0;
  let dZero = 0;
  const dx = x.map((v, i) => {
    const r = roundHalfEven(f32(f32(v) / f32(s))) + z;
    if (r < lo || r > hi) {
      dScale += dy[i]! * (r < lo ? lo - z : hi - z) * g;
      dZero += dy[i]! * -s * g;
      return 0;
    }
    dScale += ((dy[i]! * (fq(v, s, z, lo, hi) - v)) / s) * g;
    return dy[i]!;
  });
  return { dx, dScale, dZero };
}

describe('fakeQuantLearnable', () => {
  it('forwards as fakeQuant with the zero point rounded and clamped', () => {
    const x = rand([6], 3, -2, 2);
    const y = fakeQuantLearnable(x, tensor([0.1]), tensor([2.5]), { quantMin: 0, quantMax: 15 });
    // 2.5 rounds half to even: 2.
    assert.deepEqual(
      Array.from(y.data),
      Array.from(x.data, (v) => fq(v, 0.1, 2, 0, 15)),
    );
    const yc = fakeQuantLearnable(x, tensor([0.1]), tensor([40]), { quantMin: 0, quantMax: 15 });
    assert.deepEqual(
      Array.from(yc.data),
      Array.from(x.data, (v) => fq(v, 0.1, 15, 0, 15)),
    );
  });

  it('gives LSQ gradients (scale, zero point, straight-through x) as PyTorch computes them', () => {
    const xs = [-1.3, -0.42, -0.05, 0.17, 0.33, 0.61, 0.9, 2.4, -3];
    const dys = [0.5, -1, 2, 0.25, 1, -0.75, 1.5, 1, -2];
    const [lo, hi, s, z] = [-8, 7, 0.125, 1];
    const x = leaf(xs);
    const scale = leaf([s]);
    const zeroPoint = leaf([z]);
    const y = fakeQuantLearnable(x, scale, zeroPoint, { quantMin: lo, quantMax: hi });
    const [dx, ds, dz] = grad(y, [x, scale, zeroPoint], { outputGrad: tensor(dys) }) as Tensor[];
    const want = lsqReference(xs, dys, s, z, lo, hi, 1 / Math.sqrt(xs.length * hi));
    assert.deepEqual(Array.from(dx!.data), want.dx);
    expectClose(ds!, [want.dScale], { atol: 1e-6, rtol: 1e-5 });
    expectClose(dz!, [want.dZero], { atol: 1e-6, rtol: 1e-5 });
    assert.deepEqual(ds!.shape, [1]);
  });

  it('sums the parameter gradients per channel', () => {
    const xs = [0.3, -2.2, 1.7, 0.05, -0.9, 4.1];
    const x = leaf(xs, [3, 2]);
    const scale = leaf([0.25, 0.5], [2]);
    const zeroPoint = leaf([0, -1], [2]);
    const y = fakeQuantLearnable(x, scale, zeroPoint, {
      quantMin: -4,
      quantMax: 3,
      axis: 1,
      gradFactor: 1,
    });
    const [ds, dz] = grad(sum(y), [scale, zeroPoint]) as Tensor[];
    const c0 = lsqReference([xs[0]!, xs[2]!, xs[4]!], [1, 1, 1], 0.25, 0, -4, 3, 1);
    const c1 = lsqReference([xs[1]!, xs[3]!, xs[5]!], [1, 1, 1], 0.5, -1, -4, 3, 1);
    expectClose(ds!, [c0.dScale, c1.dScale], { atol: 1e-6, rtol: 1e-5 });
    expectClose(dz!, [c0.dZero, c1.dZero], { atol: 1e-6, rtol: 1e-5 });
  });

  it('agrees with finite differences in the scale where the output is clamped', () => {
    // Every element outside the grid: y = (quantMax - z) · s or (quantMin - z) · s, linear in s.
    const x = tensor([5, -6, 9, -7]);
    expectGradOk(
      (s) => fakeQuantLearnable(x, s, tensor([0]), { quantMin: -4, quantMax: 3, gradFactor: 1 }),
      [tensor([0.5])],
      { eps: 1e-3 },
    );
  });

  it('rejects bad arguments, naming the op, the argument and the shapes', () => {
    const x = tensor([[1, 2]]);
    const opts = { quantMin: 0, quantMax: 255 };
    assert.throws(
      () => fakeQuantLearnable(x, tensor([1, 1]), tensor([0]), opts),
      /fakeQuantLearnable: expected scale \[1\] for x \[1, 2\] per tensor, got \[2\]/,
    );
    assert.throws(
      () => fakeQuantLearnable(x, tensor([1, 1]), tensor([0]), { ...opts, axis: 1 }),
      /fakeQuantLearnable: expected zeroPoint \[2\] for x \[1, 2\] along axis 1, got \[1\]/,
    );
    assert.throws(
      () => fakeQuantLearnable(x, tensor([-1]), tensor([0]), opts),
      /scale must be finite and > 0/,
    );
  });
});
