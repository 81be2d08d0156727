import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { KernelName } from '../../../src/backends/kernels.js';
import { Rng } from '../../../src/random/rng.js';
import type { DType } from '../../../src/tensor/dtype.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { forEachConfig, itNative, native, runBoth } from './native-helpers.js';

/** A tensor of `dtype` filled from its own generator (float32: uniform, int32: any, bool: 0/1). */
function randomOf(shape: readonly number[], seed: number, dtype: DType = 'float32'): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const data =
    dtype === 'float32'
      ? Float32Array.from({ length: n }, () => rng.uniform() * 2 - 1)
      : dtype === 'int32'
        ? Int32Array.from({ length: n }, () => Math.floor((rng.uniform() - 0.5) * 2 ** 31))
        : Uint8Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
  return new Tensor(data, [...shape], dtype);
}

function empty(shape: readonly number[], dtype: DType): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data =
    dtype === 'float32'
      ? new Float32Array(n)
      : dtype === 'int32'
        ? new Int32Array(n)
        : new Uint8Array(n);
  return new Tensor(data, [...shape], dtype);
}

/** Runs kernel `name` on both backends and asserts bit-equal outputs (the kernels move bytes). */
function same(name: KernelName, inputs: Tensor[], outputs: Tensor[], attrs: unknown, what: string) {
  const { ts, native: nat } = runBoth(name, inputs, outputs, attrs);
  ts.forEach((t, i) => {
    const a = nat[i]!.data;
    const e = t.data;
    assert.equal(a.length, e.length, `${what}: length`);
    for (let k = 0; k < e.length; k++)
      if (!Object.is(a[k], e[k])) assert.fail(`${what}: element ${k} is ${a[k]}, expected ${e[k]}`);
  });
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) =>
    Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]),
  );
}

const shapes: number[][] = [
  [],
  [7],
  [0],
  [5, 9],
  [33, 17],
  [1, 40],
  [3, 1, 5],
  [6, 0, 2],
  [4, 35, 3],
  [2, 3, 1, 5],
  [3, 5, 7, 9],
  [2, 1, 17, 33],
];

describe('native data movement kernels', () => {
  itNative('transpose matches TS for every permutation of rank <= 4, every dtype', () => {
    forEachConfig((isa, threads) => {
      shapes.forEach((shape, s) => {
        for (const perm of permutations(shape.length)) {
          for (const dtype of ['float32', 'int32', 'bool'] as const) {
            const x = randomOf(shape, s, dtype);
            const y = empty(
              perm.map((p) => shape[p]!),
              dtype,
            );
            same(
              'transpose',
              [x],
              [y],
              { perm },
              `${isa}/${threads} [${shape}] perm ${perm} ${dtype}`,
            );
          }
        }
      });
    });
  });

  itNative('transpose of a large matrix and a tiled 4-D case match TS', () => {
    forEachConfig((isa, threads) => {
      const x = randomOf([131, 257], 7);
      same('transpose', [x], [empty([257, 131], 'float32')], { perm: [1, 0] }, `${isa}/${threads}`);
      const z = randomOf([3, 70, 5, 41], 8);
      same('transpose', [z], [empty([41, 70, 3, 5], 'float32')], { perm: [3, 1, 0, 2] }, `${isa}`);
    });
  });

  itNative('large copies, split over threads, match TS', () => {
    // Above 262144 elements the kernels split their rows over the threads.
    const x = randomOf([3, 250, 360], 21);
    forEachConfig((isa, threads) => {
      const what = `${isa}/${threads}`;
      same(
        'transpose',
        [x],
        [empty([360, 3, 250], 'float32')],
        { perm: [2, 0, 1] },
        `${what} transpose`,
      );
      same(
        'transpose',
        [x],
        [empty([3, 360, 250], 'float32')],
        { perm: [0, 2, 1] },
        `${what} tiled`,
      );
      same('slice', [x], [empty([2, 249, 357], 'float32')], { begin: [1, 1, 2] }, `${what} slice`);
      same('concat', [x, x], [empty([3, 250, 720], 'float32')], { axis: 2 }, `${what} concat`);
      const paddings = [
        [0, 1],
        [2, 0],
        [1, 1],
      ];
      const attrs = { paddings, constantValue: 0, mode: 'constant' };
      same('pad', [x], [empty([4, 252, 362], 'float32')], attrs, `${what} pad`);
      const c = randomOf([250, 1], 22, 'bool');
      const b = randomOf([360], 23);
      same('where', [c, x, b], [empty([3, 250, 360], 'float32')], {}, `${what} where`);
    });
  });

  itNative('slice matches TS on random windows', () => {
    const rng = new Rng(11);
    forEachConfig((isa, threads) => {
      shapes.forEach((shape, s) => {
        for (let trial = 0; trial < 4; trial++) {
          const begin = shape.map((d) => Math.floor(rng.uniform() * (d + 1)));
          const size = shape.map((d, i) => Math.floor(rng.uniform() * (d - begin[i]! + 1)));
          for (const dtype of ['float32', 'int32', 'bool'] as const) {
            const x = randomOf(shape, s, dtype);
            same('slice', [x], [empty(size, dtype)], { begin }, `${isa}/${threads} [${shape}]`);
          }
        }
      });
    });
  });

  itNative('concat matches TS along every axis', () => {
    forEachConfig((isa, threads) => {
      for (const shape of shapes.filter((s) => s.length > 0)) {
        for (let axis = 0; axis < shape.length; axis++) {
          for (const dtype of ['float32', 'int32', 'bool'] as const) {
            const parts = [3, 0, 1, 5].map((n, i) =>
              randomOf(
                shape.map((d, k) => (k === axis ? n : d)),
                i,
                dtype,
              ),
            );
            const total = parts.reduce((s, p) => s + p.shape[axis]!, 0);
            const y = empty(
              shape.map((d, k) => (k === axis ? total : d)),
              dtype,
            );
            same('concat', parts, [y], { axis }, `${isa}/${threads} [${shape}] axis ${axis}`);
          }
        }
      }
    });
  });

  itNative('pad (constant, reflect, symmetric) and tile match TS', () => {
    forEachConfig((isa, threads) => {
      for (const shape of [[7], [5, 9], [3, 1, 5], [2, 3, 4, 5], [4, 0]]) {
        for (const dtype of ['float32', 'int32', 'bool'] as const) {
          const x = randomOf(shape, shape.length, dtype);
          for (const mode of ['constant', 'reflect', 'symmetric'] as const) {
            const paddings = shape.map((d, i) => {
              const cap = mode === 'reflect' ? d - 1 : d;
              return [Math.min(i + 1, Math.max(cap, 0)), Math.min(2, Math.max(cap, 0))] as [
                number,
                number,
              ];
            });
            if (mode !== 'constant' && shape.includes(0)) continue;
            const y = empty(
              shape.map((d, i) => d + paddings[i]![0] + paddings[i]![1]),
              dtype,
            );
            const attrs = { paddings, constantValue: dtype === 'bool' ? 1 : -2.5, mode };
            same('pad', [x], [y], attrs, `${isa}/${threads} pad [${shape}] ${mode} ${dtype}`);
          }
          const reps = shape.map((_, i) => (i % 2) + 1 + (i === 0 ? 1 : 0));
          const y = empty(
            shape.map((d, i) => d * reps[i]!),
            dtype,
          );
          same('tile', [x], [y], { reps }, `${isa}/${threads} tile [${shape}] ${dtype}`);
        }
      }
    });
  });

  itNative('where matches TS with broadcasting', () => {
    const cases: number[][][] = [
      [
        [6, 35],
        [6, 35],
        [6, 35],
      ],
      [[1, 35], [6, 1], [35]],
      [[], [3, 4, 5], [4, 1]],
      [
        [2, 1, 5],
        [1, 7, 1],
        [2, 7, 5],
      ],
      [[0, 3], [3], [1]],
    ];
    forEachConfig((isa, threads) => {
      cases.forEach(([cs, as, bs], i) => {
        for (const dtype of ['float32', 'int32', 'bool'] as const) {
          const rank = Math.max(cs!.length, as!.length, bs!.length);
          const pad = (s: number[]) => [...Array(rank - s.length).fill(1), ...s] as number[];
          const shape = pad(cs!).map((_, d) =>
            Math.max(pad(cs!)[d]!, pad(as!)[d]!, pad(bs!)[d]!) === 0
              ? 0
              : [pad(cs!)[d]!, pad(as!)[d]!, pad(bs!)[d]!].includes(0)
                ? 0
                : Math.max(pad(cs!)[d]!, pad(as!)[d]!, pad(bs!)[d]!),
          );
          const inputs = [
            randomOf(cs!, i, 'bool'),
            randomOf(as!, i + 1, dtype),
            randomOf(bs!, i + 2, dtype),
          ];
          same('where', inputs, [empty(shape, dtype)], {}, `${isa}/${threads} case ${i} ${dtype}`);
        }
      });
    });
  });

  itNative('oneHot matches TS, out-of-range indices giving all-off rows', () => {
    forEachConfig((isa, threads) => {
      for (const depth of [0, 1, 10, 37]) {
        const idx = new Tensor(Int32Array.from([0, 3, -1, 9, 36, 40, 5]), [7], 'int32');
        const y = empty([7, depth], 'float32');
        same(
          'oneHot',
          [idx],
          [y],
          { depth, onValue: 2, offValue: -0.5 },
          `${isa}/${threads} ${depth}`,
        );
      }
    });
  });

  itNative('the bindings reject bad arguments instead of reading out of bounds', () => {
    const n = native as unknown as Record<string, (...args: unknown[]) => void>;
    const f = new Float32Array(6);
    const f64 = (...xs: number[]) => Float64Array.from(xs);
    assert.throws(() => n['transpose']!(f, new Float32Array(5), f64(2, 3), f64(1, 0)), RangeError);
    assert.throws(() => n['transpose']!(f, f, f64(2, 3), f64(1, 1)), /permutation/);
    assert.throws(() => n['transpose']!(f, new Int8Array(6), f64(2, 3), f64(1, 0)), /element size/);
    assert.throws(() => n['transpose']!(f, new Float64Array(6), f64(2, 3), f64(1, 0)), TypeError);
    assert.throws(() => n['transpose']!(f, f, f64(2, 3)), TypeError);
    assert.throws(
      () => n['stridedCopy']!(f, new Float32Array(4), 3, f64(3, 1), f64(2, 2)),
      /too short/,
    );
    assert.throws(
      () => n['stridedCopy']!(f, new Float32Array(4), -1, f64(3, 1), f64(2, 2)),
      RangeError,
    );
    assert.throws(() => n['stridedCopy']!(f, f, 0, f64(-1), f64(6)), RangeError);
    const maps = Int32Array.from([0, 1, 2, 0, 1, 2, 3]);
    assert.throws(
      () =>
        n['mappedCopy']!(f, new Float32Array(12), new Float32Array(1), maps, f64(2, 3), f64(3, 4)),
      /outside its axis/,
    );
    assert.throws(
      () =>
        n['mappedCopy']!(f, new Float32Array(6), new Float32Array(2), maps, f64(2, 3), f64(2, 3)),
      /one element/,
    );
    assert.throws(() => n['concatPart']!(f, new Float32Array(8), 2, 3, 4, 2), /exceeds row/);
    assert.throws(() => n['concatPart']!(f, new Float32Array(7), 2, 3, 4, 1), RangeError);
    const c = new Uint8Array(6);
    assert.throws(
      () => n['where']!(c, f, new Float32Array(2), f, f64(2, 3), f64(3, 1), f64(3, 1), f64(3, 1)),
      /too short/,
    );
    assert.throws(
      () => n['where']!(f, f, f, f, f64(2, 3), f64(3, 1), f64(3, 1), f64(3, 1)),
      /Uint8Array/,
    );
    assert.throws(() => n['oneHot']!(new Int32Array(2), new Float32Array(5), 3, 1, 0), RangeError);
    assert.throws(() => n['oneHot']!(new Float32Array(2), new Float32Array(6), 3, 1, 0), TypeError);
    assert.throws(() => n['oneHot']!(new Int32Array(2), new Float32Array(6), -3, 1, 0), RangeError);
  });
});
