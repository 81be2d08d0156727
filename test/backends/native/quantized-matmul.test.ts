import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { QuantizedMatMulAttrs } from '../../../src/backends/kernels.js';
import { Rng } from '../../../src/random/rng.js';
import type { DType } from '../../../src/tensor/dtype.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { forEachConfig, itNative, native, runOn } from './native-helpers.js';

/** Integers in [lo, hi], a quarter of them at the ends (the saturation cases: 255, -128, 127). */
function ints(dtype: DType, shape: number[], lo: number, hi: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data =
    dtype === 'uint8' ? new Uint8Array(n) : dtype === 'int8' ? new Int8Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    data[i] = u < 0.125 ? lo : u < 0.25 ? hi : lo + Math.floor(rng.uniform() * (hi - lo + 1));
  }
  return new Tensor(data, shape, dtype);
}

function expectSame(a: Tensor, e: Tensor, what: string): void {
  assert.equal(a.dtype, e.dtype, `${what}: dtype`);
  for (let i = 0; i < e.size; i++)
    if (a.data[i] !== e.data[i])
      assert.fail(`${what}: element ${i} is ${a.data[i]}, expected ${e.data[i]}`);
}

/** Equal float32 bit patterns (so -0 and 0 differ). */
function expectSameBits(a: Tensor, e: Tensor, what: string): void {
  assert.equal(a.dtype, e.dtype, `${what}: dtype`);
  const ab = new Uint32Array((a.data as Float32Array).slice().buffer);
  const eb = new Uint32Array((e.data as Float32Array).slice().buffer);
  for (let i = 0; i < eb.length; i++)
    if (ab[i] !== eb[i])
      assert.fail(`${what}: element ${i} is ${a.data[i]}, expected ${e.data[i]}`);
}

describe('native quantizedMatMul', () => {
  itNative('equals the TS kernel bit for bit on odd shapes, every ISA, 1/2/3 threads', () => {
    // [M, K, N]: below, at and above the micro-tiles (4x8, 6x16, 8x32) and the k groups (2, 4).
    const shapes = [
      [1, 1, 1],
      [1, 3, 17],
      [5, 2, 1],
      [7, 13, 19],
      [6, 16, 16],
      [8, 4, 32],
      [9, 5, 33],
      [13, 64, 31],
      [3, 301, 7],
      [37, 65, 70],
      [101, 127, 45],
      [300, 299, 301],
      [0, 5, 3],
      [4, 0, 3],
      [4, 5, 0],
    ] as const;
    const outputs: DType[] = ['int32', 'uint8', 'int8'];
    shapes.forEach(([M, K, N], si) => {
      const xDtype: DType = si % 2 === 0 ? 'uint8' : 'int8';
      const x = ints(
        xDtype,
        [M, K],
        xDtype === 'uint8' ? 0 : -128,
        xDtype === 'uint8' ? 255 : 127,
        si,
      );
      const w = ints('int8', [K, N], -128, 127, si + 100);
      const bias = ints('int32', [N], -50000, 50000, si + 200);
      const rng = new Rng(si + 300);
      const xZeroPoint = xDtype === 'uint8' ? (si * 37) % 256 : ((si * 37) % 256) - 128;
      for (const yDtype of outputs) {
        const requant = yDtype !== 'int32';
        // Scales that map the accumulators' spread (about 16000·sqrt(K)) onto the 8-bit range,
        // per tensor or per column, and both clamps.
        const base = 1 / (200 * Math.sqrt(Math.max(K, 1)));
        const n = si % 3 === 0 ? 1 : N;
        const scale = requant
          ? Float32Array.from({ length: n }, () => base * (0.25 + 4 * rng.uniform()))
          : null;
        for (const relu of requant ? [false, true] : [false]) {
          const attrs: QuantizedMatMulAttrs = {
            M,
            K,
            N,
            xZeroPoint,
            outputScale: scale,
            outputZeroPoint: !requant ? 0 : yDtype === 'uint8' ? 3 + si : -si,
            relu,
          };
          const inputs = si % 4 === 3 ? [x, w] : [x, w, bias];
          const y = new Tensor(
            yDtype === 'int32'
              ? new Int32Array(M * N)
              : yDtype === 'uint8'
                ? new Uint8Array(M * N)
                : new Int8Array(M * N),
            [M, N],
            yDtype,
          );
          const [want] = runOn('ts', 'quantizedMatMul', inputs, [y], attrs);
          forEachConfig((isa, threads) => {
            const [got] = runOn('native', 'quantizedMatMul', inputs, [y], attrs);
            expectSame(
              got!,
              want!,
              `[${M}, ${K}, ${N}] ${xDtype}->${yDtype} relu=${relu} ${isa} x${threads}`,
            );
          });
        }
      }
    });
  });

  itNative(
    'dequantizes to float32 bit for bit with the TS kernel, every ISA, 1/2/3 threads',
    () => {
      const shapes = [
        [1, 1, 1],
        [1, 784, 300],
        [7, 13, 19],
        [9, 5, 33],
        [37, 65, 70],
        [300, 299, 301],
        [0, 5, 3],
        [4, 0, 3],
      ] as const;
      shapes.forEach(([M, K, N], si) => {
        const x = ints('uint8', [M, K], 0, 255, si);
        const w = ints('int8', [K, N], -127, 127, si + 100);
        const rng = new Rng(si + 300);
        const n = si % 3 === 0 ? 1 : N;
        // Scales and biases with full mantissas, so a fused multiply-add would change the bits.
        const scale = Float32Array.from({ length: n }, () => 1e-4 * (0.3 + rng.uniform()));
        const bias = new Tensor(
          Float32Array.from({ length: N }, () => rng.normal()),
          [N],
          'float32',
        );
        for (const withBias of [true, false])
          for (const relu of [false, true]) {
            const attrs: QuantizedMatMulAttrs = {
              M,
              K,
              N,
              xZeroPoint: (si * 37) % 256,
              outputScale: scale,
              outputZeroPoint: 0,
              relu,
            };
            const inputs = withBias ? [x, w, bias] : [x, w];
            const y = new Tensor(new Float32Array(M * N), [M, N], 'float32');
            const [want] = runOn('ts', 'quantizedMatMul', inputs, [y], attrs);
            forEachConfig((isa, threads) => {
              const [got] = runOn('native', 'quantizedMatMul', inputs, [y], attrs);
              expectSameBits(
                got!,
                want!,
                `[${M}, ${K}, ${N}] bias=${withBias} relu=${relu} ${isa} x${threads}`,
              );
            });
          }
      });
    },
  );

  itNative('quantizeUint8 equals the TS kernel bit for bit, every ISA, 1/2/3 threads', () => {
    const rng = new Rng(7);
    const cases: Float32Array[] = [
      new Float32Array(0),
      new Float32Array(5),
      Float32Array.from([-1, 0.5, 3]),
      Float32Array.from([2, 5, 3.25]), // all positive: zero point 0
      Float32Array.from([-2, -5, -0.125]), // all negative: zero point 255
      Float32Array.from({ length: 100_003 }, () => rng.normal() * 3 + 0.5),
      Float32Array.from({ length: 70_001 }, () => Math.round(rng.normal() * 10) / 4), // ties
    ];
    cases.forEach((data, ci) => {
      const x = new Tensor(data, [data.length], 'float32');
      const outs = [
        new Tensor(new Uint8Array(data.length), [data.length], 'uint8'),
        new Tensor(new Float32Array(2), [2], 'float32'),
      ];
      const attrs = { size: data.length };
      const want = runOn('ts', 'quantizeUint8', [x], outs, attrs);
      forEachConfig((isa, threads) => {
        const got = runOn('native', 'quantizeUint8', [x], outs, attrs);
        expectSameBits(got[1]!, want[1]!, `case ${ci} params ${isa} x${threads}`);
        expectSame(got[0]!, want[0]!, `case ${ci} q ${isa} x${threads}`);
      });
    });
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      const data = Float32Array.from({ length: 40_000 }, (_, i) => (i === 39_999 ? bad : i));
      const x = new Tensor(data, [data.length], 'float32');
      const outs = [
        new Tensor(new Uint8Array(data.length), [data.length], 'uint8'),
        new Tensor(new Float32Array(2), [2], 'float32'),
      ];
      for (const backend of ['ts', 'native'] as const) {
        const [, params] = runOn(backend, 'quantizeUint8', [x], outs, { size: data.length });
        assert.ok(Number.isNaN(params!.data[0]), `${backend} ${bad}`);
      }
    }
  });

  itNative('rejects arrays of the wrong type or length and out-of-range parameters in C++', () => {
    const raw = native! as unknown as {
      quantizedMatMul(...args: unknown[]): void;
    };
    // The cases below list (x, w, bias, y, M, K, N, xZeroPoint, scale, yZeroPoint, relu); the
    // entry point takes (x, w, bias, y, xZeroPoint, scale, yZeroPoint, relu, packed, M, K, N).
    const n = {
      quantizedMatMul: (...a: unknown[]) =>
        raw.quantizedMatMul(
          ...(a.length === 11
            ? [a[0], a[1], a[2], a[3], a[7], a[8], a[9], a[10], null, a[4], a[5], a[6]]
            : a),
        ),
    };
    const x = new Uint8Array(6);
    const w = new Int8Array(6);
    const y = new Int32Array(4);
    const ok: unknown[] = [x, w, null, y, 2, 3, 2, 0, null, 0, false];
    n.quantizedMatMul(...ok);
    const bad = (i: number, v: unknown, re: RegExp) => {
      const args = [...ok];
      args[i] = v;
      assert.throws(() => n.quantizedMatMul(...args), re);
    };
    bad(0, new Float32Array(6), /x must be a Uint8Array or an Int8Array/);
    bad(1, new Uint8Array(6), /w must be an Int8Array/);
    bad(2, new Int32Array(3), /bias has 3 elements, expected 2/);
    bad(3, new Int32Array(5), /y has 5 elements, expected 4/);
    bad(5, 4, /x has 6 elements, expected 8/);
    bad(7, 256, /xZeroPoint must be in \[0, 255\]/);
    bad(8, new Float32Array(1), /scale must be null when y is an Int32Array/);
    bad(3, new Uint8Array(4), /scale must be a Float32Array when y holds 8-bit or float32 values/);
    const y8: unknown[] = [
      x,
      w,
      null,
      new Int8Array(4),
      2,
      3,
      2,
      0,
      new Float32Array([1]),
      0,
      false,
    ];
    n.quantizedMatMul(...y8);
    const bad8 = (i: number, v: unknown, re: RegExp) => {
      const args = [...y8];
      args[i] = v;
      assert.throws(() => n.quantizedMatMul(...args), re);
    };
    bad8(8, new Float32Array(3), /scale has 3 elements, expected 2/);
    bad8(8, new Float32Array([Number.POSITIVE_INFINITY]), /scale values must be finite/);
    bad8(9, 128, /yZeroPoint must be in \[-128, 127\]/);
    bad8(10, 1, /relu must be a boolean/);
    assert.throws(() => n.quantizedMatMul(x, w), /expected 12 arguments/);
    assert.throws(
      () => raw.quantizedMatMul(x, w, null, y, 0, null, 0, false, new Int8Array(4), 2, 3, 2),
      /packed must be a Uint8Array or null/,
    );
    // A buffer packed for another shape is ignored (packed again for the call), not misread.
    raw.quantizedMatMul(x, w, null, y, 0, null, 0, false, new Uint8Array(64), 2, 3, 2);
    const yf: unknown[] = [
      x,
      w,
      new Float32Array(2),
      new Float32Array(4),
      2,
      3,
      2,
      0,
      new Float32Array([1]),
      0,
      true,
    ];
    n.quantizedMatMul(...yf);
    const badf = (i: number, v: unknown, re: RegExp) => {
      const args = [...yf];
      args[i] = v;
      assert.throws(() => n.quantizedMatMul(...args), re);
    };
    badf(2, new Int32Array(2), /bias must be a Float32Array or null when y is a Float32Array/);
    badf(2, new Float32Array(3), /bias has 3 elements, expected 2/);
    badf(9, 1, /yZeroPoint must be in \[0, 0\]/);
    badf(8, null, /scale must be a Float32Array/);
    const qn = native! as unknown as { quantizeUint8(...args: unknown[]): void };
    qn.quantizeUint8(new Float32Array(3), new Uint8Array(3), new Float32Array(2), 3);
    assert.throws(
      () => qn.quantizeUint8(new Float32Array(3), new Uint8Array(2), new Float32Array(2), 3),
      /q has 2 elements, expected 3/,
    );
    assert.throws(
      () => qn.quantizeUint8(new Float64Array(3), new Uint8Array(3), new Float32Array(2), 3),
      /x must be a Float32Array/,
    );
  });
});
