import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { roundHalfEven } from '../../src/backends/ts/kernels/quantized-matmul.js';
import { quantizedMatMul, quantizeUint8 } from '../../src/ops/quantized-matmul.js';
import { Tensor } from '../../src/tensor/tensor.js';

const u8 = (rows: number[][]) =>
  new Tensor(Uint8Array.from(rows.flat()), [rows.length, rows[0]?.length ?? 0], 'uint8');
const i8 = (rows: number[][]) =>
  new Tensor(Int8Array.from(rows.flat()), [rows.length, rows[0]?.length ?? 0], 'int8');
const i32 = (v: number[]) => new Tensor(Int32Array.from(v), [v.length], 'int32');
const values = (t: Tensor) => Array.from(t.data);

/** (x - 2) = [[-1, 1, 3], [2, -2, 0]]; w columns [1, 2, 3] and [-1, 0, 4]. */
const handChecked = () => ({
  x: u8([
    [1, 3, 5],
    [4, 0, 2],
  ]),
  w: i8([
    [1, -1],
    [2, 0],
    [3, 4],
  ]),
});

describe('quantizedMatMul', () => {
  it('computes the int32 accumulators of a hand-checked product with zero point and bias', () => {
    const { x, w } = handChecked();
    const y = quantizedMatMul(x, w, { xZeroPoint: 2, bias: i32([10, -20]) });
    assert.equal(y.dtype, 'int32');
    assert.deepEqual([...y.shape], [2, 2]);
    assert.deepEqual(values(y), [
      -1 + 2 + 9 + 10,
      1 + 0 + 12 - 20,
      2 - 4 + 0 + 10,
      -2 + 0 + 0 - 20,
    ]);
  });

  it('is exact at the edges 0/255 x -128/127, for uint8 and int8 activations', () => {
    const K = 300;
    const x = u8([new Array(K).fill(255), new Array(K).fill(0)]);
    const w = i8(Array.from({ length: K }, () => [-128, 127]));
    assert.deepEqual(values(quantizedMatMul(x, w)), [255 * -128 * K, 255 * 127 * K, 0, 0]);
    const xs = i8([new Array(K).fill(-128), new Array(K).fill(127)]);
    assert.deepEqual(values(quantizedMatMul(xs, w, { xZeroPoint: 127 })), [
      -255 * -128 * K,
      -255 * 127 * K,
      0,
      0,
    ]);
  });

  it('wraps the accumulators modulo 2^32', () => {
    const x = u8([[255]]);
    const w = i8([[-128]]);
    const y = quantizedMatMul(x, w, { bias: i32([-(2 ** 31) + 100]) });
    assert.deepEqual(values(y), [(-(2 ** 31) + 100 - 32640 + 2 ** 32) | 0]);
  });

  it('requantizes with float32 scale, ties to even, zero point and clamping', () => {
    // acc = x · 1 over one k; scale 0.5 gives v = acc / 2: ties at odd acc.
    const x = u8([[1, 3, 5, 7, 0, 250]]);
    const w = i8([[1]]);
    const xs = new Tensor(x.data, [6, 1], 'uint8');
    const y = quantizedMatMul(xs, w, { outputScale: 0.5, outputZeroPoint: 10 });
    assert.equal(y.dtype, 'uint8');
    // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2, 3.5 -> 4, 0, 125; plus 10.
    assert.deepEqual(values(y), [10, 12, 12, 14, 10, 135]);
    const clamped = quantizedMatMul(xs, w, { outputScale: 2, outputZeroPoint: 10 });
    assert.deepEqual(values(clamped), [12, 16, 20, 24, 10, 255]);
    const signed = quantizedMatMul(xs, i8([[-1]]), {
      outputScale: 0.5,
      outputZeroPoint: -3,
      outputDtype: 'int8',
    });
    // -0.5 -> 0, -1.5 -> -2, -2.5 -> -2, -3.5 -> -4, 0, -125 (clamped to -128 after -3).
    assert.deepEqual(values(signed), [-3, -5, -5, -7, -3, -128]);
    assert.ok(roundHalfEven(-0.5) === 0);
    assert.equal(roundHalfEven(-1.5), -2);
    assert.equal(roundHalfEven(2.4999998), 2);
  });

  it('rounds f32(acc) · scale in float32, not in double', () => {
    // acc 3947 · f32(0.0100076) is 39.4999984 in double but exactly 39.5 in float32: a tie, to 40.
    const scale = Math.fround(0.0100076);
    const x = new Tensor(Uint8Array.from([0]), [1, 1], 'uint8');
    const y = quantizedMatMul(x, i8([[1]]), { bias: i32([3947]), outputScale: scale });
    assert.deepEqual(values(y), [40]);
    // 9225 · f32(0.0100271) is 92.5000006 in double, 92.5 in float32: a tie, to 92.
    const y2 = quantizedMatMul(x, i8([[1]]), { bias: i32([9225]), outputScale: 0.0100271 });
    assert.deepEqual(values(y2), [92]);
  });

  it('applies per-channel scales, bias and relu at the output zero point', () => {
    const x = u8([[4, 6]]);
    const w = i8([
      [1, -1, 2],
      [1, -1, -2],
    ]);
    // acc = [10, -10, -4] + bias [0, 0, 1] = [10, -10, -3].
    const opts = { bias: i32([0, 0, 1]), outputScale: [1, 0.5, 1], outputZeroPoint: 5 } as const;
    assert.deepEqual(values(quantizedMatMul(x, w, opts)), [15, 0, 2]);
    assert.deepEqual(values(quantizedMatMul(x, w, { ...opts, activation: 'relu' })), [15, 5, 5]);
    const s8 = quantizedMatMul(x, w, {
      ...opts,
      outputDtype: 'int8',
      outputZeroPoint: -2,
      activation: 'relu',
    });
    assert.deepEqual(values(s8), [8, -2, -2]);
  });

  it('takes x [..., K] and handles empty M, N and K', () => {
    const x3 = new Tensor(Uint8Array.from([1, 2, 3, 4]), [2, 1, 2], 'uint8');
    const y3 = quantizedMatMul(x3, i8([[1], [1]]));
    assert.deepEqual([...y3.shape], [2, 1, 1]);
    assert.deepEqual(values(y3), [3, 7]);
    const noRows = quantizedMatMul(
      new Tensor(new Uint8Array(0), [0, 3], 'uint8'),
      i8([[1], [2], [3]]),
    );
    assert.deepEqual([...noRows.shape], [0, 1]);
    const noCols = quantizedMatMul(u8([[1, 2]]), new Tensor(new Int8Array(0), [2, 0], 'int8'));
    assert.deepEqual([...noCols.shape], [1, 0]);
    const noK = quantizedMatMul(
      new Tensor(new Uint8Array(0), [2, 0], 'uint8'),
      new Tensor(new Int8Array(0), [0, 3], 'int8'),
      {
        bias: i32([1, 2, 3]),
        outputScale: 1,
        outputZeroPoint: 4,
      },
    );
    assert.deepEqual(values(noK), [5, 6, 7, 5, 6, 7]);
  });

  it('rejects wrong dtypes, shapes and parameters, naming the op and the argument', () => {
    const x = u8([[1, 2]]);
    const w = i8([[1], [2]]);
    const f = new Tensor(new Float32Array(2), [1, 2], 'float32');
    assert.throws(() => quantizedMatMul(f, w), /quantizedMatMul: argument 'x' has dtype float32/);
    assert.throws(
      () => quantizedMatMul(x, new Tensor(new Uint8Array(2), [2, 1], 'uint8')),
      /argument 'w'/,
    );
    assert.throws(
      () => quantizedMatMul(x, i8([[1], [2], [3]])),
      /quantizedMatMul: expected x \[\.\.\., K\] and w \[K, N\], got \[1, 2\] and \[3, 1\]/,
    );
    assert.throws(() => quantizedMatMul(x, w, { bias: i32([1, 2]) }), /expected bias \[1\]/);
    assert.throws(
      () => quantizedMatMul(x, w, { bias: new Tensor(new Float32Array(1), [1], 'float32') }),
      /argument 'bias'/,
    );
    assert.throws(
      () => quantizedMatMul(x, w, { xZeroPoint: 256 }),
      /xZeroPoint must be an integer in \[0, 255\]/,
    );
    assert.throws(() => quantizedMatMul(i8([[1, 2]]), w, { xZeroPoint: 128 }), /\[-128, 127\]/);
    assert.throws(() => quantizedMatMul(x, w, { outputScale: [1, 2] }), /outputScale has 2 values/);
    assert.throws(() => quantizedMatMul(x, w, { outputScale: Number.NaN }), /finite and positive/);
    assert.throws(
      () => quantizedMatMul(x, w, { outputScale: 1, outputZeroPoint: -1 }),
      /outputZeroPoint/,
    );
    assert.throws(() => quantizedMatMul(x, w, { outputDtype: 'int8' }), /needs outputScale/);
    assert.throws(
      () => quantizedMatMul(x, w, { activation: 'relu' }),
      /int32 output holds the accumulators/,
    );
  });

  it('dequantizes to float32: act(f32(f32(acc) · s[j]) + b[j]) in float32 steps', () => {
    const { x, w } = handChecked();
    // acc (zero point 2): [[10, 13], [-2, -2]].
    const s = [0.1, 0.3];
    const b = [0.7, -0.2];
    const f = Math.fround;
    const bias = new Tensor(Float32Array.from(b), [2], 'float32');
    const y = quantizedMatMul(x, w, {
      xZeroPoint: 2,
      outputDtype: 'float32',
      outputScale: s,
      bias,
    });
    assert.equal(y.dtype, 'float32');
    const acc = [10, 13, -2, -2];
    const want = acc.map((a, i) => f(f(a * f(s[i % 2]!)) + f(b[i % 2]!)));
    assert.deepEqual(values(y), want);
    const r = quantizedMatMul(x, w, {
      xZeroPoint: 2,
      outputDtype: 'float32',
      outputScale: s,
      bias,
      activation: 'relu',
    });
    assert.deepEqual(
      values(r),
      want.map((v) => Math.max(v, 0)),
    );
    const n = quantizedMatMul(x, w, { xZeroPoint: 2, outputDtype: 'float32', outputScale: 0.5 });
    assert.deepEqual(values(n), [5, 6.5, -1, -1]);
    assert.throws(
      () => quantizedMatMul(x, w, { outputDtype: 'float32', outputScale: 1, bias: i32([1, 2]) }),
      /argument 'bias'/,
    );
    assert.throws(
      () => quantizedMatMul(x, w, { outputDtype: 'float32', outputScale: 1, outputZeroPoint: 1 }),
      /outputZeroPoint must be an integer in \[0, 0\]/,
    );
  });

  it('quantizeUint8 finds the range, scale and zero point in one kernel', () => {
    const x = new Tensor(Float32Array.from([-1, 0.5, 3, 1.5]), [2, 2], 'float32');
    const { q, scale, zeroPoint } = quantizeUint8(x);
    assert.equal(scale, Math.fround(4 / 255));
    assert.equal(zeroPoint, roundHalfEven(1 / scale));
    assert.equal(q.dtype, 'uint8');
    assert.deepEqual([...q.shape], [2, 2]);
    const want = [-1, 0.5, 3, 1.5].map((v) =>
      Math.min(255, Math.max(0, roundHalfEven(Math.fround(v / scale)) + zeroPoint)),
    );
    assert.deepEqual(values(q), want);
    const zero = quantizeUint8(new Tensor(new Float32Array(3), [3], 'float32'));
    assert.deepEqual([zero.scale, zero.zeroPoint, ...values(zero.q)], [1, 0, 0, 0, 0]);
    assert.throws(
      () => quantizeUint8(new Tensor(Float32Array.from([1, Number.NaN]), [2], 'float32'), 'L'),
      /L: the input holds NaN or infinite values/,
    );
  });

  it('has no gradient: differentiating it throws', () => {
    const x = u8([[1, 2]]);
    x.requiresGrad = true;
    const y = quantizedMatMul(x, i8([[1], [2]]));
    assert.throws(() => grad(y, [x]), /quantizedMatMul: this op has no gradient/);
  });
});
