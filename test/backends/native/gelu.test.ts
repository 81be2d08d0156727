import assert from 'node:assert/strict';
import { describe } from 'node:test';
import {
  expectElementsClose,
  forEachConfig,
  itNative,
  native,
  randomTensor,
  runOn,
} from './native-helpers.js';

describe('native fused GELU (tanh form)', () => {
  itNative('matches the TS kernels forward and backward, edge values included', () => {
    for (const [n, seed] of [
      [0, 1],
      [1, 2],
      [13, 3],
      [517, 4],
      [70_001, 5],
    ] as const) {
      const x = randomTensor([n], seed, -8, 8);
      if (n > 10) x.data.set([0, -0, 1e-30, 30, -30, Infinity, -Infinity, Number.NaN, 1e5, -1e5]);
      const dy = randomTensor([n], seed + 1);
      // Garbage in the outputs: the op hands the kernels uninitialized storage to overwrite.
      const y = runOn('ts', 'geluTanh', [x], [randomTensor([n], 90)], {})[0]!;
      const dx = runOn('ts', 'geluTanhBackward', [dy, x], [randomTensor([n], 91)], {})[0]!;
      forEachConfig((isa, threads) => {
        const what = `n ${n} (${isa}, ${threads} threads)`;
        const ny = runOn('native', 'geluTanh', [x], [randomTensor([n], 92)], {})[0]!;
        expectElementsClose(ny, y, 1e-5, 1e-6, `geluTanh ${what}`);
        const ndx = runOn('native', 'geluTanhBackward', [dy, x], [randomTensor([n], 93)], {})[0]!;
        expectElementsClose(ndx, dx, 1e-5, 1e-6, `geluTanhBackward ${what}`);
      });
    }
  });

  itNative('rejects bad arguments straight to the binding', () => {
    const n = native as unknown as Record<string, (...args: unknown[]) => void>;
    const f = (size: number) => new Float32Array(size);
    n['geluTanh']!(f(4), f(4));
    assert.throws(() => n['geluTanh']!(f(4), f(3)), /geluTanh: y has 3 elements, the sizes need 4/);
    assert.throws(() => n['geluTanh']!(f(4)), /expected 2 arguments/);
    assert.throws(() => n['geluTanh']!([1, 2], f(2)), /x must be a Float32Array/);
    assert.throws(() => n['geluTanhBackward']!(f(4), f(4), f(2)), /dx has 2 elements/);
    assert.throws(() => n['geluTanhBackward']!(f(3), f(4), f(4)), /dy has 3 elements/);
  });
});
