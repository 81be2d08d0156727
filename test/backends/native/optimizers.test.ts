import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { getKernel } from '../../../src/backends/index.js';
import type { KernelName } from '../../../src/backends/kernels.js';
import {
  expectElementsClose,
  forEachConfig,
  isas,
  itNative,
  randomTensor,
  runOn,
} from './native-helpers.js';

/** Runs an optimizer step on both backends from the same state and compares every output. */
function check(name: KernelName, slots: number, attrs: object, n: number): void {
  const g = randomTensor([n], 1);
  const state = [
    randomTensor([n], 2),
    ...Array.from({ length: slots }, (_, i) => randomTensor([n], 3 + i, 0, 1)),
  ];
  const expected = runOn('ts', name, [g], state, attrs);
  // The update loops are plain C++ (no per-ISA code): only the thread count varies.
  forEachConfig(
    (isa, threads) => {
      if (isa !== isas[0]) return;
      const actual = runOn('native', name, [g], state, attrs);
      for (let i = 0; i < actual.length; i++) {
        const what = `${name} output ${i} (${threads} threads) ${JSON.stringify(attrs)}`;
        expectElementsClose(actual[i]!, expected[i]!, 1e-6, 1e-7, what);
      }
    },
    [1, 2],
  );
}

describe('native optimizer updates', () => {
  itNative('match the TS kernels for SGD, Adam and RMSprop in every variant', () => {
    for (const n of [0, 5, 40_001]) {
      check('sgdUpdate', 0, { learningRate: 0.1, momentum: 0, nesterov: false, decay: 0 }, n);
      check('sgdUpdate', 1, { learningRate: 0.1, momentum: 0.9, nesterov: false, decay: 0.01 }, n);
      check('sgdUpdate', 1, { learningRate: 0.1, momentum: 0.9, nesterov: true, decay: 0 }, n);
      const adam = {
        alpha: 0.001,
        beta1: 0.9,
        beta2: 0.999,
        epsilon: 1e-7,
        amsgrad: false,
        decay: 0,
      };
      check('adamUpdate', 2, adam, n);
      check('adamUpdate', 2, { ...adam, decay: 0.004, gradScale: 0.37 }, n);
      check('adamUpdate', 3, { ...adam, amsgrad: true, gradScale: 0.5 }, n);
      check('adamUpdate', 3, { ...adam, amsgrad: true, decay: 0.004 }, n);
      const rms = {
        learningRate: 0.01,
        rho: 0.9,
        momentum: 0,
        epsilon: 1e-7,
        centered: false,
        decay: 0,
      };
      check('rmspropUpdate', 1, rms, n);
      check('rmspropUpdate', 2, { ...rms, momentum: 0.5 }, n);
      check('rmspropUpdate', 3, { ...rms, momentum: 0.5, centered: true, decay: 0.01 }, n);
      check('rmspropUpdate', 2, { ...rms, centered: true }, n);
    }
  });

  itNative('rejects slots whose length differs from the variable', () => {
    const attrs = { learningRate: 0.1, momentum: 0.9, nesterov: false, decay: 0 };
    assert.throws(
      () =>
        getKernel('sgdUpdate', 'native')(
          [randomTensor([10], 1)],
          [randomTensor([10], 2), randomTensor([9], 3)],
          attrs,
        ),
      /sgdUpdate \(native\): slot 0 has 9 elements, the attrs need 10/,
    );
  });
});
