import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { getKernel } from '../../../src/backends/index.js';
import { broadcastShapes } from '../../../src/tensor/shape.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import {
  expectElementsClose,
  forEachConfig,
  isas,
  itNative,
  native,
  randomTensor,
  runBoth,
  runOn,
  zerosOf,
} from './native-helpers.js';

/** Values that exercise every branch: both signs, tiny, huge, halves (rounding), NaN and Inf. */
function specialTensor(): Tensor {
  const values = [
    0,
    -0,
    1e-8,
    -1e-8,
    1e-3,
    -1e-3,
    0.3,
    -0.3,
    0.5,
    -0.5,
    0.61,
    0.64,
    1,
    -1,
    1.5,
    -1.5,
    2.5,
    -2.5,
    3.5,
    6,
    7,
    -7,
    10,
    -10,
    20,
    -20,
    50,
    -50,
    88,
    88.7,
    89,
    -87,
    -88,
    -100,
    -104,
    -120,
    1e10,
    -1e10,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    8388609,
    -8388609,
    0.49999997,
  ];
  return new Tensor(Float32Array.from(values), [values.length], 'float32');
}

/** Domain-safe random inputs for an op (log needs positive values and so on). */
function randomFor(op: string, shape: number[], seed: number): Tensor {
  const positive = ['log', 'sqrt', 'rsqrt'].includes(op);
  const t = randomTensor(shape, seed, positive ? 0.01 : -8, 8);
  return t;
}

const unaryOps = native ? native.unaryOps : [];
const attrsFor = (op: string) =>
  op === 'clip'
    ? { op, alpha: -0.5, beta: 0.75 }
    : op === 'leakyRelu' || op === 'elu'
      ? { op, alpha: 0.3 }
      : { op };

describe('native unary', () => {
  itNative('matches the TS kernel for every op, on random data and on special values', () => {
    const cases = unaryOps.flatMap((op) =>
      [
        randomFor(op, [3, 37], 1),
        randomFor(op, [33001], 2),
        specialTensor(),
        randomTensor([0], 3),
      ].map((x) => ({
        op,
        x,
        expected: runOn('ts', 'unary', [x], [zerosOf(x.shape)], attrsFor(op))[0]!,
      })),
    );
    forEachConfig(
      (isa, threads) => {
        for (const { op, x, expected } of cases) {
          const y = runOn('native', 'unary', [x], [zerosOf(x.shape)], attrsFor(op))[0]!;
          expectElementsClose(
            y,
            expected,
            1e-5,
            1e-30,
            `${op} (${isa}, ${threads} threads) on ${x.size}`,
          );
        }
      },
      [1, 2],
    );
  });

  itNative('leaves non-float32 dtypes to the TypeScript kernel', () => {
    const x = new Tensor(
      Int32Array.from({ length: 100 }, (_, i) => i - 50),
      [100],
      'int32',
    );
    const y = zerosOf([100], 'int32');
    getKernel('unary', 'native')([x], [y], { op: 'abs' });
    assert.equal(y.data[0], 50);
  });
});

describe('native binary', () => {
  const ops = native ? native.binaryOps.filter((o) => o !== 'left') : [];
  const cases: [number[], number[]][] = [
    [[67], [67]],
    [[5, 13], [13]],
    [
      [5, 13],
      [5, 1],
    ],
    [[1], [4, 9, 11]],
    [
      [3, 1, 7],
      [1, 4, 1],
    ],
    [
      [2, 3, 4, 5],
      [3, 1, 5],
    ],
    [[2, 0, 3], [3]],
    [
      [1, 1],
      [1, 1],
    ],
  ];

  itNative('matches the TS kernel for every op with broadcasting', () => {
    forEachConfig(
      (isa, threads) => {
        for (const op of ops) {
          for (const [sa, sb] of cases) {
            const a = randomTensor(sa, 1, -4, 4);
            const b = randomTensor(sb, 2, op === 'pow' ? 0.1 : -4, 4);
            if (op === 'pow')
              for (let i = 0; i < a.data.length; i++) a.data[i] = Math.abs(a.data[i]!);
            const shape = broadcastShapes('test', sa, sb);
            // Garbage in the output: the op hands the kernels uninitialized storage.
            const r = runBoth('binary', [a, b], [randomTensor(shape, 61)], { op });
            expectElementsClose(
              r.native[0]!,
              r.ts[0]!,
              1e-6,
              1e-30,
              `${op} ${sa} ${sb} (${isa}, ${threads})`,
            );
          }
        }
      },
      [1, 2],
    );
  });

  itNative('matches on special values and a long threaded run', () => {
    const s = specialTensor();
    const t = new Tensor(s.data.slice().reverse(), s.shape, 'float32');
    const big = randomTensor([300, 257], 5);
    const row = randomTensor([257], 6);
    forEachConfig((isa, threads) => {
      for (const op of ops) {
        let r = runBoth('binary', [s, t], [zerosOf(s.shape)], { op });
        expectElementsClose(r.native[0]!, r.ts[0]!, 1e-6, 1e-30, `${op} special (${isa})`);
        r = runBoth('binary', [big, row], [zerosOf(big.shape)], { op });
        expectElementsClose(
          r.native[0]!,
          r.ts[0]!,
          1e-6,
          1e-30,
          `${op} [300, 257] (${isa}, ${threads})`,
        );
      }
    });
  });

  itNative('broadcasts with broadcastTo', () => {
    const x = randomTensor([3, 1, 5], 1);
    const r = runBoth('broadcastTo', [x], [zerosOf([2, 3, 4, 5])], {});
    assert.deepEqual(Array.from(r.native[0]!.data), Array.from(r.ts[0]!.data));
  });

  itNative('leaves comparisons and int32 to the TypeScript kernel', () => {
    const a = randomTensor([100], 1);
    const y = new Tensor(new Uint8Array(100), [100], 'bool');
    getKernel('binary', 'native')([a, a], [y], { op: 'equal' });
    assert.ok(y.data.every((v) => v === 1));
  });

  itNative('rejects storage shorter than the shapes say', () => {
    const b = native!;
    const f = (n: number) => new Float32Array(n);
    const sh = Float64Array.from([4, 5]);
    assert.throws(
      () =>
        b.binary(1, f(19), f(20), f(20), sh, Float64Array.from([5, 1]), Float64Array.from([5, 1])),
      /a has 19 elements, the sizes need 20/,
    );
    assert.throws(
      () =>
        b.binary(1, f(20), f(20), f(21), sh, Float64Array.from([5, 1]), Float64Array.from([5, 1])),
      /y does not match/,
    );
    assert.throws(
      () =>
        b.binary(1, f(20), f(5), f(20), sh, Float64Array.from([5, 1]), Float64Array.from([1, 1])),
      /b has 5 elements/,
    );
    assert.throws(() => b.binary(99, f(20), f(20), f(20), sh, sh, sh), /unknown op/);
    assert.throws(() => b.unary(0, f(3), f(4), 0, 0), /differ in length/);
    assert.throws(
      () => b.unary(0, new Float64Array(3) as unknown as Float32Array, f(3), 0, 0),
      /x must be a Float32Array/,
    );
  });
});

describe('native reduce', () => {
  const ops = ['sum', 'max', 'min', 'prod'];
  itNative('matches the TS kernel over outer, reduced and inner axes', () => {
    const shapes: [number, number, number][] = [
      [1, 100, 1],
      [1, 5000, 1],
      [7, 33, 1],
      [1, 13, 77],
      [3, 9, 300],
      [40, 1, 5],
      [2, 0, 3],
      [0, 4, 4],
      [1, 1, 1],
      [64, 100, 3],
    ];
    forEachConfig(
      (isa, threads) => {
        for (const op of ops) {
          for (const [outer, reduced, inner] of shapes) {
            const x = randomTensor(
              [outer, reduced, inner],
              outer + reduced + inner,
              op === 'prod' ? 0.9 : -1,
              op === 'prod' ? 1.1 : 1,
            );
            const r = runBoth('reduce', [x], [zerosOf([outer, inner])], {
              op,
              outer,
              reduced,
              inner,
            });
            const tol = reduced > 1000 ? 1e-4 : 1e-5;
            expectElementsClose(
              r.native[0]!,
              r.ts[0]!,
              tol,
              tol,
              `${op} [${outer}, ${reduced}, ${inner}] (${isa}, ${threads})`,
            );
          }
        }
      },
      [1, 2],
    );
  });

  itNative('propagates NaN in max and min and sums Inf', () => {
    for (const inner of [1, 5]) {
      const x = randomTensor([1, 200, inner], 3);
      x.data[inner * 150] = Number.NaN;
      x.data[inner * 10 + (inner - 1)] = Number.POSITIVE_INFINITY;
      for (const op of ops) {
        const r = runBoth('reduce', [x], [zerosOf([1, inner])], {
          op,
          outer: 1,
          reduced: 200,
          inner,
        });
        expectElementsClose(r.native[0]!, r.ts[0]!, 1e-5, 1e-5, `${op} with NaN, inner ${inner}`);
      }
    }
  });

  itNative('runs on every ISA this CPU has', () => {
    assert.ok(isas.length >= 1);
    assert.equal(isas.at(-1), 'scalar');
  });
});
