import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { getKernel } from '../../../src/backends/index.js';
import type { Conv2DAttrs, KernelName } from '../../../src/backends/kernels.js';
import {
  convGeometry as conv,
  directConvCases,
  expectConvMatchesReference,
  expectElementsClose,
  expectNormClose,
  forEachConfig,
  itNative,
  native,
  poolGeometry as pool,
  randomTensor,
  runOn,
  zerosOf,
} from './native-helpers.js';

const convCases: Conv2DAttrs[] = [
  conv(2, 9, 7, 3, 5, [3, 3]),
  conv(2, 9, 7, 3, 5, [3, 3], [1, 1], [1, 1], true),
  conv(1, 12, 11, 4, 6, [3, 2], [2, 3], [1, 1], true),
  conv(3, 10, 10, 2, 3, [3, 3], [1, 1], [2, 2]),
  conv(2, 6, 5, 7, 9, [1, 1]), // pointwise: a plain GEMM
  conv(1, 5, 5, 3, 4, [5, 5], [1, 1], [1, 1], true),
  conv(4, 16, 16, 8, 16, [3, 3], [1, 1], [1, 1], true), // big enough to thread
  conv(0, 5, 5, 3, 4, [3, 3]),
  conv(1, 2, 2, 1, 1, [3, 3]), // no output pixels
];

describe('native conv2d', () => {
  itNative(
    'matches the TS kernels forward, for the input gradient and for the filter gradient',
    () => {
      expectConvMatchesReference(convCases);
    },
  );

  itNative('the direct filter gradient matches the TS kernel on every register-tile path', () => {
    for (const a of directConvCases()) {
      const x = randomTensor([a.batch, a.inH, a.inW, a.inC], 21);
      const dy = randomTensor([a.batch, a.outH, a.outW, a.outC], 22);
      const shape = [a.filterH, a.filterW, a.inC, a.outC];
      const expected = runOn('ts', 'conv2dBackpropFilter', [x, dy], [zerosOf(shape)], a)[0]!;
      forEachConfig((isa, threads) => {
        const dw = runOn('native', 'conv2dBackpropFilter', [x, dy], [zerosOf(shape)], a)[0]!;
        expectNormClose(
          dw,
          expected,
          1e-5,
          `conv2dBackpropFilter ${JSON.stringify(a)} (${isa}, ${threads})`,
        );
      });
    }
  });

  itNative('rejects arrays that do not fit the geometry', () => {
    const a = conv(1, 4, 4, 2, 3, [3, 3]);
    const k = getKernel('conv2d', 'native');
    assert.throws(
      () => k([randomTensor([31], 1), randomTensor([54], 2)], [zerosOf([12])], a),
      /conv2d \(native\): x has 31 elements, the attrs need 32/,
    );
    assert.throws(
      () =>
        k([randomTensor([32], 1), randomTensor([54], 2)], [zerosOf([12])], { ...a, strideH: 0 }),
      /strides and dilations must be >= 1/,
    );
    assert.throws(
      () =>
        native!.conv2d(
          new Float32Array(32),
          new Float32Array(54),
          new Float32Array(12),
          new Float64Array(14),
        ),
      /attrs must be a Float64Array of 15/,
    );
    const bad = Float64Array.from([1, 4, 4, 2, 2, 2, 3, 3, 3, 1, 1, 1, 1, 0, 0]);
    bad[4] = 5; // outH larger than y holds
    assert.throws(
      () => native!.conv2d(new Float32Array(32), new Float32Array(54), new Float32Array(12), bad),
      /y has 12 elements, the sizes need 30/,
    );
  });
});

describe('native pooling', () => {
  const cases = [
    pool(2, 8, 8, 3, [2, 2], [2, 2]),
    pool(2, 7, 9, 5, [3, 3], [2, 2], true),
    pool(1, 9, 9, 4, [3, 2], [1, 1]),
    pool(3, 5, 5, 2, [2, 2], [1, 2], true),
    pool(4, 20, 20, 16, [2, 2], [2, 2]),
    pool(0, 4, 4, 2, [2, 2], [2, 2]),
    // Whole 2x2 windows over channel counts that fill vectors, and with a remainder after them.
    pool(2, 6, 7, 8, [2, 2], [2, 2]),
    pool(1, 5, 6, 16, [2, 2], [2, 2], true),
    pool(1, 4, 4, 24, [2, 2], [1, 1]),
    pool(1, 6, 6, 13, [2, 2], [2, 2]),
  ];
  itNative('matches the TS kernels for max and average pooling, forward and backward', () => {
    for (const a of cases) {
      const x = randomTensor([a.batch, a.inH, a.inW, a.channels], 4);
      if (x.size > 10) {
        x.data[3] = Number.NaN;
        x.data[7] = x.data[8]!; // a tie: the first maximum takes the gradient
      }
      if (a.channels >= 8 && a.inW >= 4 && a.inH >= 2) {
        // A NaN at each of the four cells of a 2x2 window (windows at columns 0, 2, 4, 6 of row 0).
        const C = a.channels;
        for (const [h, w] of [
          [0, 0],
          [0, 3],
          [1, 4],
          [1, 7],
        ] as const)
          if (w < a.inW) x.data[(h * a.inW + w) * C + 5] = Number.NaN;
        // Three equal maxima in the first window of channel 2: the first (row-major) takes dy.
        for (const i of [1, a.inW, a.inW + 1]) x.data[i * C + 2] = 5;
      }
      const dy = randomTensor([a.batch, a.outH, a.outW, a.channels], 5);
      const xs = [a.batch, a.inH, a.inW, a.channels];
      const ys = [a.batch, a.outH, a.outW, a.channels];
      const calls: [KernelName, (typeof x)[], number[]][] = [
        ['maxPool2d', [x], ys],
        ['maxPool2dBackward', [dy, x, runOn('ts', 'maxPool2d', [x], [zerosOf(ys)], a)[0]!], xs],
        ['avgPool2d', [x], ys],
        ['avgPool2dBackward', [dy], xs],
      ];
      for (const [name, inputs, outShape] of calls) {
        const expected = runOn('ts', name, inputs, [zerosOf(outShape)], a)[0]!;
        forEachConfig(
          (isa, threads) => {
            const y = runOn('native', name, inputs, [zerosOf(outShape)], a)[0]!;
            expectElementsClose(
              y,
              expected,
              1e-5,
              1e-6,
              `${name} ${JSON.stringify(a)} (${isa}, ${threads})`,
            );
          },
          [1, 2],
        );
      }
    }
  });

  itNative('rejects arrays that do not fit the geometry', () => {
    const a = pool(1, 4, 4, 2, [2, 2], [2, 2]);
    assert.throws(
      () => getKernel('maxPool2d', 'native')([randomTensor([31], 1)], [zerosOf([8])], a),
      /maxPool2d \(native\): x has 31 elements/,
    );
    assert.throws(
      () =>
        getKernel('avgPool2d', 'native')([randomTensor([32], 1)], [zerosOf([8])], {
          ...a,
          poolH: 0,
        }),
      /pool sizes and strides must be >= 1/,
    );
  });
});
