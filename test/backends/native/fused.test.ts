import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { type AnyKernel, getKernel } from '../../../src/backends/index.js';
import type { Conv2DAttrs } from '../../../src/backends/kernels.js';
import type { FusedBinding } from '../../../src/backends/native/kernels/fused.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import {
  convGeometry as conv,
  directConvCases,
  expectNormClose,
  forEachConfig,
  itNative,
  native,
  randomTensor,
  runOn,
  zerosOf,
} from './native-helpers.js';

const ACTS = [0, 1, 2, 3, 4]; // linear, relu, sigmoid, tanh, softmax

// Direct (<= 32 taps) and im2col geometries; channel counts around the 4-vector register block.
const convCases: Conv2DAttrs[] = [
  conv(2, 9, 7, 1, 37, [3, 3]),
  conv(3, 11, 10, 1, 32, [3, 3], [1, 1], [1, 1], true),
  conv(1, 8, 9, 3, 5, [3, 2], [2, 3], [1, 1], true),
  conv(2, 10, 10, 2, 3, [3, 3], [1, 1], [2, 2]),
  conv(1, 7, 6, 7, 1, [2, 2]),
  conv(1, 6, 6, 5, 9, [3, 3], [1, 1], [1, 1], true), // 45 taps: im2col + GEMM, then the epilogue
  conv(4, 28, 28, 1, 32, [3, 3]), // the seed CNN: big enough to thread
  conv(0, 5, 5, 1, 4, [3, 3]),
  conv(1, 2, 2, 1, 3, [3, 3]), // no output pixels
];

describe('native fused conv2d, bias + activation and activation gradient', () => {
  itNative('fusedConv2d matches the TS kernel for every activation, with and without bias', () => {
    for (const a of convCases) {
      const x = randomTensor([a.batch, a.inH, a.inW, a.inC], 1);
      const w = randomTensor([a.filterH, a.filterW, a.inC, a.outC], 2);
      const b = randomTensor([a.outC], 3);
      const yShape = [a.batch, a.outH, a.outW, a.outC];
      for (const activation of ACTS) {
        for (const inputs of [
          [x, w, b],
          [x, w],
        ]) {
          const attrs = { ...a, activation };
          const expected = runOn('ts', 'fusedConv2d', inputs, [zerosOf(yShape)], attrs)[0]!;
          const what = `fusedConv2d ${JSON.stringify(attrs)} bias=${inputs.length === 3}`;
          forEachConfig((isa, threads) => {
            // Start from garbage: the kernel must not depend on a zero-filled output.
            const y = randomTensor(yShape, 9);
            (getKernel('fusedConv2d', 'native') as AnyKernel)(inputs, [y], attrs);
            expectNormClose(y, expected, 1e-5, `${what} (${isa}, ${threads})`);
          });
        }
      }
    }
  });

  itNative('fusedConv2d register tiles: every row remainder, channel block and border', () => {
    for (const a of directConvCases()) {
      const x = randomTensor([a.batch, a.inH, a.inW, a.inC], 11);
      const w = randomTensor([a.filterH, a.filterW, a.inC, a.outC], 12);
      const b = randomTensor([a.outC], 13);
      const yShape = [a.batch, a.outH, a.outW, a.outC];
      for (const [activation, inputs] of [
        [1, [x, w, b]],
        [0, [x, w]],
        [3, [x, w, b]],
      ] as const) {
        const attrs = { ...a, activation };
        const expected = runOn('ts', 'fusedConv2d', [...inputs], [zerosOf(yShape)], attrs)[0]!;
        forEachConfig((isa, threads) => {
          const y = randomTensor(yShape, 14);
          getKernel('fusedConv2d', 'native')([...inputs], [y], attrs);
          expectNormClose(
            y,
            expected,
            1e-5,
            `fusedConv2d ${JSON.stringify(attrs)} (${isa}, ${threads})`,
          );
        });
      }
    }
  });

  itNative('fusedDense matches the TS kernel (narrow rows and the GEMM path)', () => {
    for (const [M, K, N] of [
      [1, 5408, 10],
      [7, 33, 1],
      [33, 17, 37],
      [3, 1, 70],
      [1, 129, 300],
      [4, 33, 75],
      [5, 40, 100],
      [0, 5, 3],
      [4, 0, 3],
      [257, 50, 10],
      // The overlapping-load tiles: N around 1..4 vectors, 4-row tiles and their leftover rows.
      ...[4, 8, 9, 12, 15, 16, 17, 24, 25, 31, 32].flatMap((N) => [
        [1, 37, N],
        [9, 5, N],
      ]),
      [5, 3, 10],
      [6, 1, 16],
      [4, 2, 24],
    ] as const) {
      const x = randomTensor([M, K], 7);
      const w = randomTensor([K, N], 8);
      const b = randomTensor([N], 9);
      for (const activation of ACTS) {
        const attrs = { M, K, N, activation };
        for (const inputs of [
          [x, w, b],
          [x, w],
        ]) {
          const expected = runOn('ts', 'fusedDense', inputs, [zerosOf([M, N])], attrs)[0]!;
          forEachConfig((isa, threads) => {
            const y = randomTensor([M, N], 10);
            (getKernel('fusedDense', 'native') as AnyKernel)(inputs, [y], attrs);
            expectNormClose(
              y,
              expected,
              1e-4,
              `fusedDense ${JSON.stringify(attrs)} (${isa}, ${threads})`,
            );
          });
        }
      }
    }
  });

  itNative('biasActivation and activationGrad match the TS kernels on odd shapes', () => {
    for (const [rows, channels] of [
      [1, 1],
      [7, 13],
      [33, 10],
      [0, 5],
      [5, 0],
      [300, 37],
      [2048, 32],
    ] as const) {
      const x = randomTensor([rows, channels], 4, -4, 4);
      const b = randomTensor([channels], 5);
      const dy = randomTensor([rows, channels], 6);
      for (const activation of ACTS) {
        const attrs = { rows, channels, activation };
        const what = JSON.stringify(attrs);
        for (const inputs of [[x, b], [x]]) {
          const expected = runOn(
            'ts',
            'biasActivation',
            inputs,
            [zerosOf([rows, channels])],
            attrs,
          )[0]!;
          const y = expected;
          const expectedGrad = runOn(
            'ts',
            'activationGrad',
            [dy, y],
            [zerosOf([rows, channels])],
            attrs,
          )[0]!;
          forEachConfig((isa, threads) => {
            const got = runOn(
              'native',
              'biasActivation',
              inputs,
              [zerosOf([rows, channels])],
              attrs,
            )[0]!;
            expectNormClose(got, expected, 1e-5, `biasActivation ${what} (${isa}, ${threads})`);
            const g = runOn(
              'native',
              'activationGrad',
              [dy, y],
              [zerosOf([rows, channels])],
              attrs,
            )[0]!;
            expectNormClose(g, expectedGrad, 1e-5, `activationGrad ${what} (${isa}, ${threads})`);
          });
        }
      }
    }
  });

  itNative('bad arguments straight to the binding throw', () => {
    const n = native as unknown as FusedBinding;
    const f = (k: number) => new Float32Array(k);
    const attrs = Float64Array.from([1, 4, 4, 1, 2, 2, 3, 3, 3, 1, 1, 1, 1, 0, 0]);
    assert.throws(() => n.fusedConv2d(f(15), f(27), null, f(12), attrs, 1), /x has 15 elements/);
    assert.throws(() => n.fusedConv2d(f(16), f(27), f(2), f(12), attrs, 1), /bias must have 3/);
    assert.throws(() => n.fusedConv2d(f(16), f(27), null, f(11), attrs, 1), /y has 11 elements/);
    assert.throws(() => n.fusedConv2d(f(16), f(27), null, f(12), attrs, 5), /unknown activation/);
    assert.throws(
      () => n.fusedConv2d(f(16), f(27), null, f(12), new Float64Array(3), 1),
      /attrs must be a Float64Array of 15/,
    );
    assert.throws(() => n.fusedDense(f(5), f(6), null, f(4), 2, 3, 2, 0), /x has 5 elements/);
    assert.throws(() => n.fusedDense(f(6), f(5), null, f(4), 2, 3, 2, 0), /kernel has 5 elements/);
    assert.throws(() => n.fusedDense(f(6), f(6), f(3), f(4), 2, 3, 2, 0), /bias must have 2/);
    assert.throws(() => n.fusedDense(f(6), f(6), null, f(4), 2, 3, 2, 9), /unknown activation/);
    assert.throws(() => n.biasActivation(f(6), f(2), f(6), 2, 3, 1), /bias must have 3/);
    assert.throws(() => n.biasActivation(f(6), null, f(5), 2, 3, 1), /y has 5 elements/);
    assert.throws(() => n.biasActivation(f(6), null, f(6), -1, 3, 1), /rows must be an integer/);
    assert.throws(() => n.activationGrad(f(6), f(5), f(6), 2, 3, 1), /y has 5 elements/);
    assert.throws(() => n.activationGrad(f(6), f(6), f(6), 2, 3, -1), /activation must be/);
    assert.throws(
      () => n.activationGrad(f(6), f(6), [] as unknown as Float32Array, 2, 3, 0),
      /dz must be a Float32Array/,
    );
    // The TS wrapper checks the storage against the attrs before crossing.
    const k = getKernel('biasActivation', 'native');
    assert.throws(
      () =>
        k([new Tensor(f(5), [5], 'float32')], [zerosOf([6])], {
          rows: 2,
          channels: 3,
          activation: 1,
        }),
      /biasActivation \(native\): x has 5 elements, the attrs need 6/,
    );
  });
});
