import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { LayerNormAttrs } from '../../../src/backends/kernels.js';
import {
  expectNormClose,
  forEachConfig,
  itNative,
  native,
  randomTensor,
  runOn,
  zerosOf,
} from './native-helpers.js';

/** Forward and backward on both backends, gamma/beta present or not, every output compared. */
function check(rows: number, F: number, hasGamma: boolean, hasBeta: boolean, seed: number): void {
  const attrs: LayerNormAttrs = { rows, features: F, epsilon: 1e-5, hasGamma, hasBeta };
  // An offset mean and a spread, so that the statistics matter.
  const x = randomTensor([rows, F], seed, -3, 5);
  const params = [
    ...(hasGamma ? [randomTensor([F], seed + 1, 0.5, 1.5)] : []),
    ...(hasBeta ? [randomTensor([F], seed + 2)] : []),
  ];
  // Garbage in y and dx: the op hands the kernels uninitialized storage to overwrite.
  const fwdOut = [randomTensor([rows, F], 71), zerosOf([rows]), zerosOf([rows])];
  const expected = runOn('ts', 'layerNorm', [x, ...params], fwdOut, attrs);
  const dy = randomTensor([rows, F], seed + 3);
  const bwdIn = [dy, x, expected[1]!, expected[2]!, ...(hasGamma ? [params[0]!] : [])];
  // dgamma/dbeta empty when not wanted, as the op passes them.
  const bwdOut = [randomTensor([rows, F], 72), zerosOf([hasGamma ? F : 0]), zerosOf([F])];
  const expectedGrads = runOn('ts', 'layerNormBackward', bwdIn, bwdOut, attrs);
  forEachConfig((isa, threads) => {
    const what = `layerNorm [${rows}, ${F}] gamma ${hasGamma} beta ${hasBeta} (${isa}, ${threads} threads)`;
    const actual = runOn('native', 'layerNorm', [x, ...params], fwdOut, attrs);
    ['y', 'mean', 'rstd'].forEach((name, i) => {
      expectNormClose(actual[i]!, expected[i]!, 1e-5, `${name} of ${what}`);
    });
    const grads = runOn('native', 'layerNormBackward', bwdIn, bwdOut, attrs);
    // dgamma and dbeta sum over every row: a long reduction.
    ['dx', 'dgamma', 'dbeta'].forEach((name, i) => {
      expectNormClose(grads[i]!, expectedGrads[i]!, i === 0 ? 1e-5 : 1e-4, `${name} of ${what}`);
    });
  });
}

describe('native layer normalization', () => {
  itNative('matches the TS kernels forward and backward, with and without gamma and beta', () => {
    check(1, 1, true, true, 1);
    check(7, 13, true, true, 2);
    check(5, 33, false, true, 3);
    check(9, 3, true, false, 4);
    check(4, 8, false, false, 5);
    check(0, 8, true, true, 6);
    check(3000, 37, true, true, 7);
    check(769, 128, true, true, 8);
  });

  itNative('rejects bad arguments straight to the binding', () => {
    const n = native as unknown as Record<string, (...args: unknown[]) => void>;
    const f = (size: number) => new Float32Array(size);
    const fwd: unknown[] = [f(12), f(4), null, f(12), f(3), f(3), 3, 4, 1e-5];
    n['layerNorm']!(...fwd);
    const bad: [number, unknown, RegExp][] = [
      [0, f(11), /x has 11 elements, the sizes need 12/],
      [1, f(3), /gamma has 3 elements/],
      [4, f(2), /mean has 2 elements/],
      [3, new Int32Array(12), /y must be a Float32Array/],
      [6, -1, /rows must be an integer >= 0/],
      [8, 0, /epsilon must be > 0/],
    ];
    for (const [at, value, message] of bad) {
      const args = [...fwd];
      args[at] = value;
      assert.throws(() => n['layerNorm']!(...args), message);
    }
    const bwd: unknown[] = [f(12), f(12), f(3), f(3), null, f(12), null, f(4), 3, 4];
    n['layerNormBackward']!(...bwd);
    bwd[7] = f(3);
    assert.throws(() => n['layerNormBackward']!(...bwd), /dbeta has 3 elements/);
    assert.throws(() => n['layerNormBackward']!(...bwd.slice(0, 9)), /expected 10 arguments/);
  });
});
