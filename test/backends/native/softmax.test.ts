import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { KernelName } from '../../../src/backends/kernels.js';
import { Rng } from '../../../src/random/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import {
  expectNormClose,
  forEachConfig,
  itNative,
  native,
  randomTensor,
  runBoth,
  zerosOf,
} from './native-helpers.js';

/** [rows, C] shapes: odd sizes, size-1 and empty axes, a long row. */
const shapes: [number, number][] = [
  [1, 1],
  [3, 10],
  [7, 33],
  [0, 5],
  [4, 0],
  [65, 17],
  [2, 1000],
  [700, 101], // above 65536 elements: rows split over the threads
];

/** Logits in [-8, 8) with a few extreme entries, so the maximum shift matters. */
function logits(rows: number, C: number, seed: number): Tensor {
  const x = randomTensor([rows, C], seed, -8, 8);
  if (x.size > 3) {
    x.data[0] = 80;
    x.data[x.size - 1] = -90;
  }
  return x;
}

function compare(
  name: KernelName,
  inputs: Tensor[],
  outputs: Tensor[],
  attrs: unknown,
  what: string,
) {
  const { ts, native: nat } = runBoth(name, inputs, outputs, attrs);
  ts.forEach((t, i) => {
    expectNormClose(nat[i]!, t, 1e-5, `${what} output ${i}`);
  });
}

describe('native softmax kernels', () => {
  itNative('softmax and logSoftmax over the last axis match TS, forward and backward', () => {
    forEachConfig((isa, threads) => {
      shapes.forEach(([rows, C], s) => {
        const x = logits(rows, C, s);
        const dy = randomTensor([rows, C], s + 50);
        const attrs = { outer: rows, axis: C, inner: 1 };
        const what = `${isa}/${threads} [${rows}, ${C}]`;
        for (const name of ['softmax', 'logSoftmax'] as const) {
          compare(name, [x], [zerosOf([rows, C])], attrs, `${what} ${name}`);
          const { ts } = runBoth(name, [x], [zerosOf([rows, C])], attrs);
          const back = `${name}Backward` as const;
          compare(back, [dy, ts[0]!], [zerosOf([rows, C])], attrs, `${what} ${back}`);
        }
      });
    });
  });

  itNative('rows of -Infinity and NaN behave as in TS', () => {
    const x = new Tensor(
      Float32Array.from([-Infinity, -Infinity, 0, Number.NaN, 1, 2, Infinity, 0]),
      [4, 2],
      'float32',
    );
    for (const name of ['softmax', 'logSoftmax'] as const)
      compare(name, [x], [zerosOf([4, 2])], { outer: 4, axis: 2, inner: 1 }, name);
  });

  itNative('softmax cross-entropy (dense and sparse) match TS: loss and gradient', () => {
    forEachConfig((isa, threads) => {
      shapes.forEach(([rows, C], s) => {
        const x = logits(rows, C, s);
        const t = randomTensor([rows, C], s + 9, 0, 1);
        const rng = new Rng(s);
        const labels = Int32Array.from({ length: rows }, (_, r) =>
          r % 5 === 4 || C === 0 ? -1 : Math.floor(rng.uniform() * C),
        );
        const attrs = { rows, classes: C };
        const outs = () => [zerosOf([rows]), zerosOf([rows, C])];
        const what = `${isa}/${threads} [${rows}, ${C}]`;
        compare('softmaxCrossEntropy', [x, t], outs(), attrs, `${what} dense`);
        const l = new Tensor(labels, [rows], 'int32');
        compare('sparseSoftmaxCrossEntropy', [x, l], outs(), attrs, `${what} sparse`);
      });
    });
  });

  itNative('the bindings reject bad arguments instead of reading out of bounds', () => {
    const n = native as unknown as Record<string, (...args: unknown[]) => void>;
    const f = (k: number) => new Float32Array(k);
    assert.throws(() => n['softmax']!(f(6), f(5), 2, 3, false), RangeError);
    assert.throws(() => n['softmax']!(f(6), f(6), 2, 3), TypeError);
    assert.throws(() => n['softmax']!(f(6), new Int32Array(6), 2, 3, false), TypeError);
    assert.throws(() => n['softmax']!(f(6), f(6), -2, -3, false), RangeError);
    assert.throws(() => n['softmaxBackward']!(f(6), f(6), f(4), 2, 3, true), RangeError);
    assert.throws(() => n['softmaxCrossEntropy']!(f(6), f(6), f(1), f(6), 2, 3), RangeError);
    assert.throws(() => n['softmaxCrossEntropy']!(f(6), f(5), f(2), f(6), 2, 3), RangeError);
    const labels = Int32Array.from([0, 3]);
    assert.throws(
      () => n['sparseSoftmaxCrossEntropy']!(f(6), labels, f(2), f(6), 2, 3),
      /outside \[-1, C\)/,
    );
    assert.throws(
      () => n['sparseSoftmaxCrossEntropy']!(f(6), Int32Array.from([0]), f(2), f(6), 2, 3),
      RangeError,
    );
    assert.throws(() => n['sparseSoftmaxCrossEntropy']!(f(6), f(2), f(2), f(6), 2, 3), TypeError);
  });
});
