import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { gather, unsortedSegmentSum } from '../../../src/ops/index.js';
import { Rng } from '../../../src/random/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import { forEachConfig, itNative, native, randomTensor, runOn, zerosOf } from './native-helpers.js';

function ids(n: number, lo: number, hi: number, seed: number): Tensor {
  const rng = new Rng(seed);
  const d = new Int32Array(n);
  for (let i = 0; i < n; i++) d[i] = lo + Math.floor(rng.uniform() * (hi - lo));
  return new Tensor(d, [n], 'int32');
}

/** Exactly equal: a gather copies and the scatter-add sums each row in the same order as TS. */
function expectSame(a: Tensor, e: Tensor, what: string): void {
  assert.deepEqual([...a.shape], [...e.shape], `${what}: shape`);
  for (let i = 0; i < e.size; i++)
    if (!Object.is(a.data[i], e.data[i]))
      assert.fail(`${what}: element ${i} is ${a.data[i]}, expected ${e.data[i]}`);
}

describe('native gather and unsortedSegmentSum', () => {
  itNative('gather matches the TS kernel', () => {
    // [outer, axisSize, inner, m]; the last is large enough to thread.
    const cases = [
      [1, 10, 7, 5],
      [3, 4, 1, 9],
      [2, 5, 3, 0],
      [0, 5, 3, 4],
      [1, 6, 0, 3],
      [1, 1000, 64, 3000],
    ] as const;
    cases.forEach(([outer, axisSize, inner, m], ci) => {
      const x = randomTensor([outer, axisSize, inner], ci);
      const idx = ids(m, 0, axisSize, ci + 10);
      const attrs = { outer, axisSize, inner };
      const y = zerosOf([outer, m, inner]);
      const [want] = runOn('ts', 'gather', [x, idx], [y], attrs);
      forEachConfig((isa, threads) => {
        const [got] = runOn('native', 'gather', [x, idx], [y], attrs);
        expectSame(got!, want!, `gather ${cases[ci]} ${isa} x${threads}`);
      });
    });
  });

  itNative('unsortedSegmentSum matches the TS kernel, dropping negative ids', () => {
    // [m, inner, numSegments]; ids in [-2, numSegments), so some rows are dropped.
    const cases = [
      [9, 5, 4],
      [13, 1, 3],
      [0, 4, 5],
      [6, 3, 0],
      [6400, 64, 1000],
    ] as const;
    cases.forEach(([m, inner, n], ci) => {
      const data = randomTensor([m, inner], ci);
      const segs = ids(m, -2, n, ci + 20);
      const y = zerosOf([n, inner]);
      const [want] = runOn('ts', 'unsortedSegmentSum', [data, segs], [y], { numSegments: n });
      forEachConfig((isa, threads) => {
        const [got] = runOn('native', 'unsortedSegmentSum', [data, segs], [y], { numSegments: n });
        expectSame(got!, want!, `unsortedSegmentSum ${cases[ci]} ${isa} x${threads}`);
      });
    });
  });

  itNative('the ops name themselves and the bad index before any kernel runs', () => {
    const table = randomTensor([5, 3], 1);
    assert.throws(
      () => gather(table, [1, 5]),
      /gather: index 5 is out of range for axis 0 of size 5/,
    );
    assert.throws(
      () => unsortedSegmentSum(table, [0, 1, 2, 3, 4], 4),
      /unsortedSegmentSum: segment id 4 is out of range for numSegments 4/,
    );
  });

  itNative('bindings reject bad arguments instead of reading out of bounds', () => {
    const n = native as unknown as Record<string, (...args: unknown[]) => void>;
    const f = (k: number) => new Float32Array(k);
    const i = (...v: number[]) => Int32Array.from(v);
    assert.doesNotThrow(() => n['gather']!(f(12), i(0, 3), f(6), 1, 4, 3));
    const badGather: [string, unknown[]][] = [
      ['index past the axis', [f(12), i(0, 4), f(6), 1, 4, 3]],
      ['negative index', [f(12), i(-1, 0), f(6), 1, 4, 3]],
      ['short x', [f(11), i(0, 3), f(6), 1, 4, 3]],
      ['short y', [f(12), i(0, 3), f(5), 1, 4, 3]],
      ['float indices', [f(12), f(2), f(6), 1, 4, 3]],
      ['fractional inner', [f(12), i(0, 3), f(6), 1, 4, 2.5]],
      ['missing argument', [f(12), i(0, 3), f(6), 1, 4]],
    ];
    for (const [what, args] of badGather)
      assert.throws(() => n['gather']!(...args), /keel native gather/, what);
    assert.doesNotThrow(() => n['unsortedSegmentSum']!(f(6), i(0, -1, 2), f(6), 3));
    const badSum: [string, unknown[]][] = [
      ['id past the segments', [f(6), i(0, 3, 2), f(6), 3]],
      ['data not whole rows', [f(7), i(0, 1, 2), f(6), 3]],
      ['short y', [f(6), i(0, 1, 2), f(5), 3]],
      ['Uint32 ids', [f(6), Uint32Array.of(0, 1, 2), f(6), 3]],
      ['rows without ids', [f(2), i(), f(6), 3]],
    ];
    for (const [what, args] of badSum)
      assert.throws(
        () => n['unsortedSegmentSum']!(...args),
        /keel native unsortedSegmentSum/,
        what,
      );
  });
});
