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

  itNative('rejects arrays of the wrong type or length and out-of-range parameters in C++', () => {
    const n = native! as unknown as {
      quantizedMatMul(...args: unknown[]): void;
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
    bad(3, new Uint8Array(4), /scale must be a Float32Array when y holds 8-bit values/);
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
    assert.throws(() => n.quantizedMatMul(x, w), /expected 11 arguments/);
  });
});
