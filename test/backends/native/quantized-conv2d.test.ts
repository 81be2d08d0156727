import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type {
  Pool2DAttrs,
  QuantizedConv2DAttrs,
  QuantizedConv2DMaxPoolAttrs,
} from '../../../src/backends/kernels.js';
import { Rng } from '../../../src/random/rng.js';
import type { DType } from '../../../src/tensor/dtype.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { forEachConfig, itNative, runOn } from './native-helpers.js';

function ints(dtype: DType, shape: number[], lo: number, hi: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data =
    dtype === 'uint8' ? new Uint8Array(n) : dtype === 'int8' ? new Int8Array(n) : new Int32Array(n);
  for (let i = 0; i < n; i++) data[i] = lo + Math.floor(rng.uniform() * (hi - lo + 1));
  return new Tensor(data, shape, dtype);
}

function expectSame(a: Tensor, e: Tensor, what: string): void {
  for (let i = 0; i < e.size; i++)
    if (a.data[i] !== e.data[i])
      assert.fail(`${what}: element ${i} is ${a.data[i]}, expected ${e.data[i]}`);
}

const out = (dtype: DType, n: number) =>
  dtype === 'uint8' ? new Uint8Array(n) : dtype === 'int8' ? new Int8Array(n) : new Int32Array(n);

describe('native quantizedConv2d', () => {
  itNative(
    'equals the TS kernel bit for bit on odd shapes and paddings, every ISA, 1/2/3 threads',
    () => {
      // [batch, h, w, inC, outC, fh, fw, stride, dilation, padTop, padLeft]
      const cases = [
        [1, 5, 5, 1, 3, 3, 3, 1, 1, 0, 0],
        [2, 28, 28, 1, 32, 3, 3, 1, 1, 0, 0],
        [3, 7, 9, 5, 17, 3, 2, 1, 1, 1, 1],
        [1, 8, 8, 3, 33, 3, 3, 2, 1, 1, 1],
        [2, 9, 7, 2, 7, 3, 3, 1, 2, 2, 2],
        [1, 6, 6, 16, 16, 1, 1, 1, 1, 0, 0],
      ] as const;
      cases.forEach(([batch, inH, inW, inC, outC, fh, fw, s, d, pt, pl], ci) => {
        const outH = Math.floor((inH + 2 * pt - d * (fh - 1) - 1) / s) + 1;
        const outW = Math.floor((inW + 2 * pl - d * (fw - 1) - 1) / s) + 1;
        const x = ints('uint8', [batch, inH, inW, inC], 0, 255, ci);
        const w = ints('int8', [fh, fw, inC, outC], -127, 127, ci + 10);
        const bias = ints('int32', [outC], -30000, 30000, ci + 20);
        const K = fh * fw * inC;
        for (const yDtype of ['int32', 'uint8', 'int8'] as DType[]) {
          const requant = yDtype !== 'int32';
          const attrs: QuantizedConv2DAttrs = {
            batch,
            inH,
            inW,
            inC,
            outH,
            outW,
            outC,
            filterH: fh,
            filterW: fw,
            strideH: s,
            strideW: s,
            dilationH: d,
            dilationW: d,
            padTop: pt,
            padLeft: pl,
            xZeroPoint: (ci * 41) % 256,
            outputScale: requant
              ? Float32Array.from(
                  { length: ci % 2 ? 1 : outC },
                  (_, j) => (0.5 + j / outC) / (150 * Math.sqrt(K)),
                )
              : null,
            outputZeroPoint: yDtype === 'uint8' ? 5 + ci : requant ? -ci : 0,
            relu: requant && ci % 2 === 0,
          };
          const n = batch * outH * outW * outC;
          const y = new Tensor(out(yDtype, n), [batch, outH, outW, outC], yDtype);
          const [want] = runOn('ts', 'quantizedConv2d', [x, w, bias], [y], attrs);
          forEachConfig((isa, threads) => {
            const [got] = runOn('native', 'quantizedConv2d', [x, w, bias], [y], attrs);
            expectSame(got!, want!, `case ${ci} ${yDtype} ${isa} x${threads}`);
          });
        }
      });
    },
  );

  itNative(
    'fused with max pooling equals the TS composition bit for bit: windows, padding, every ISA, 1/2/3 threads',
    () => {
      // [batch, h, w, inC, outC, filter, convPad, pool, poolStride, poolPad, xDtype, negative scale]
      const cases = [
        [3, 28, 28, 1, 32, 3, 0, 2, 2, 0, 'uint8', false], // the seed CNN
        [2, 11, 9, 3, 33, 3, 1, 2, 2, 0, 'uint8', false], // odd sizes: pooling drops a row
        [1, 10, 10, 5, 7, 3, 1, 3, 2, 1, 'uint8', false], // 3x3 windows in 'same' padding
        [2, 7, 7, 2, 9, 3, 1, 2, 2, 1, 'uint8', false], // 2x2 windows clipped by padding
        [2, 8, 12, 2, 16, 2, 0, 1, 2, 0, 'int8', false], // 1x2 windows, int8 x
        [1, 9, 9, 4, 40, 1, 0, 2, 1, 0, 'uint8', false], // overlapping windows, 1x1 conv
        [1, 6, 6, 2, 5, 3, 1, 2, 2, 0, 'uint8', true], // a negative scale: not monotonic
      ] as const;
      cases.forEach(([batch, h, w, inC, outC, f, cp, ps, st, pp, xDtype, negative], ci) => {
        const outH = h + 2 * cp - f + 1;
        const outW = w + 2 * cp - f + 1;
        const pooled = (n: number) => Math.floor((n + 2 * pp - ps) / st) + 1;
        const signed = xDtype === 'int8';
        const x = ints(xDtype, [batch, h, w, inC], signed ? -128 : 0, signed ? 127 : 255, ci);
        const wq = ints('int8', [f, f, inC, outC], -128, 127, ci + 30);
        const bias = ints('int32', [outC], -30000, 30000, ci + 40);
        const K = f * f * inC;
        const scale = Float32Array.from(
          { length: outC },
          (_, j) => ((negative && j === 1 ? -1 : 1) * (0.5 + j / outC)) / (150 * Math.sqrt(K)),
        );
        const pool: Pool2DAttrs = {
          batch,
          inH: outH,
          inW: outW,
          channels: outC,
          outH: pooled(outH),
          outW: pooled(outW),
          poolH: ps,
          poolW: ps === 1 ? 2 : ps,
          strideH: st,
          strideW: st,
          padTop: pp,
          padLeft: pp,
        };
        if (ps === 1) pool.outW = Math.floor((outW + 2 * pp - 2) / st) + 1;
        const attrs: QuantizedConv2DMaxPoolAttrs = {
          batch,
          inH: h,
          inW: w,
          inC,
          outH,
          outW,
          outC,
          filterH: f,
          filterW: f,
          strideH: 1,
          strideW: 1,
          dilationH: 1,
          dilationW: 1,
          padTop: cp,
          padLeft: cp,
          xZeroPoint: signed ? -3 : 7 + ci,
          outputScale: scale,
          outputZeroPoint: 4 + ci,
          relu: ci % 2 === 0,
          pool,
        };
        const n = batch * pool.outH * pool.outW * outC;
        const y = new Tensor(new Uint8Array(n), [batch, pool.outH, pool.outW, outC], 'uint8');
        const [want] = runOn('ts', 'quantizedConv2dMaxPool', [x, wq, bias], [y], attrs);
        // The specification is the composition of the two kernels.
        const conv = new Tensor(
          new Uint8Array(batch * outH * outW * outC),
          [batch, outH, outW, outC],
          'uint8',
        );
        const [c] = runOn('ts', 'quantizedConv2d', [x, wq, bias], [conv], attrs);
        const [p] = runOn('ts', 'maxPool2d', [c!], [y], pool);
        expectSame(want!, p!, `case ${ci} composition`);
        forEachConfig((isa, threads) => {
          const [got] = runOn('native', 'quantizedConv2dMaxPool', [x, wq, bias], [y], attrs);
          expectSame(got!, want!, `case ${ci} ${isa} x${threads}`);
        });
      });
    },
  );

  itNative('uint8 max pooling and quantizeLinear equal the TS kernels', () => {
    const x = ints('uint8', [2, 7, 9, 5], 0, 255, 7);
    const a: Pool2DAttrs = {
      batch: 2,
      inH: 7,
      inW: 9,
      channels: 5,
      outH: 4,
      outW: 5,
      poolH: 2,
      poolW: 2,
      strideH: 2,
      strideW: 2,
      padTop: 0,
      padLeft: 0,
    };
    const y = new Tensor(new Uint8Array(2 * 4 * 5 * 5), [2, 4, 5, 5], 'uint8');
    const [want] = runOn('ts', 'maxPool2d', [x], [y], a);
    forEachConfig((isa, t) => {
      const [got] = runOn('native', 'maxPool2d', [x], [y], a);
      expectSame(got!, want!, `maxPool2d ${isa} x${t}`);
    });
    const rng = new Rng(3);
    const f = Float32Array.from({ length: 100003 }, () => rng.normal() * 3);
    f[5] = Number.NaN;
    f[6] = Number.POSITIVE_INFINITY;
    f[7] = Number.NEGATIVE_INFINITY;
    f[8] = 0.5 * 0.0123;
    const xf = new Tensor(f, [f.length], 'float32');
    const q = new Tensor(new Uint8Array(f.length), [f.length], 'uint8');
    const qa = { size: f.length, scale: Math.fround(0.0123), zeroPoint: 117 };
    const [qWant] = runOn('ts', 'quantizeLinear', [xf], [q], qa);
    assert.equal(qWant!.data[5], 0);
    assert.equal(qWant!.data[6], 255);
    forEachConfig((isa, t) => {
      const [got] = runOn('native', 'quantizeLinear', [xf], [q], qa);
      expectSame(got!, qWant!, `quantizeLinear ${isa} x${t}`);
    });
  });
});
