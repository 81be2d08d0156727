import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { getKernel } from '../../../src/backends/index.js';
import type { AttentionAttrs } from '../../../src/backends/kernels.js';
import { Rng } from '../../../src/random/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import {
  expectNormClose,
  forEachConfig,
  itNative,
  native,
  randomTensor,
  runOn,
  zerosOf,
} from './native-helpers.js';

const NAME = 'scaledDotProductAttention';

interface Case {
  H: number;
  Tq: number;
  Tk: number;
  D: number;
  Dv: number;
  causal: boolean;
  /** Bias matrices (0: no bias); head h uses matrix h % biasCount. */
  biasCount: number;
  /** Heads side by side at each step (the 'BTHD' layout), default 1. */
  n?: number;
}

/** Runs forward and backward on the TS and the native kernels and compares every output. */
function check(c: Case, seed: number): void {
  const { H, Tq, Tk, D, Dv } = c;
  const q = randomTensor([H, Tq, D], seed, -2, 2);
  const k = randomTensor([H, Tk, D], seed + 1, -2, 2);
  const v = randomTensor([H, Tk, Dv], seed + 2);
  const dOut = randomTensor([H, Tq, Dv], seed + 3);
  const extra: Tensor[] = [];
  let biasIndex: Int32Array | null = null;
  if (c.biasCount > 0) {
    // A padding-style mask (some keys at -1e9) plus a small additive bias.
    const rng = new Rng(seed + 4);
    const b = new Float32Array(c.biasCount * Tq * Tk);
    for (let i = 0; i < b.length; i++) b[i] = rng.uniform() < 0.2 ? -1e9 : rng.uniform() - 0.5;
    extra.push(new Tensor(b, [c.biasCount, Tq, Tk], 'float32'));
    biasIndex = Int32Array.from({ length: H }, (_, h) => h % c.biasCount);
  }
  const attrs: AttentionAttrs = {
    heads: H,
    queries: Tq,
    keys: Tk,
    depth: D,
    valueDepth: Dv,
    scale: 1 / Math.sqrt(Math.max(D, 1)),
    causal: c.causal,
    headsPerStep: c.n ?? 1,
    biasIndex,
  };
  // Garbage in the outputs: the op hands the kernels uninitialized storage to overwrite.
  const fwdOut = [randomTensor([H, Tq, Dv], 81), zerosOf([H, Tq])];
  const [out, lse] = runOn('ts', NAME, [q, k, v, ...extra], fwdOut, attrs);
  const bwdIn = [dOut, q, k, v, out!, lse!, ...extra];
  const bwdOut = [
    randomTensor([H, Tq, D], 82),
    randomTensor([H, Tk, D], 83),
    randomTensor([H, Tk, Dv], 84),
  ];
  const expected = runOn('ts', `${NAME}Backward`, bwdIn, bwdOut, attrs);
  forEachConfig((isa, threads) => {
    const what = `${JSON.stringify(c)} on ${isa}, ${threads} threads`;
    const [o, l] = runOn('native', NAME, [q, k, v, ...extra], fwdOut, attrs);
    expectNormClose(o!, out!, 1e-4, `out ${what}`);
    expectNormClose(l!, lse!, 1e-4, `lse ${what}`);
    const grads = runOn('native', `${NAME}Backward`, bwdIn, bwdOut, attrs);
    ['dq', 'dk', 'dv'].forEach((g, i) => {
      expectNormClose(grads[i]!, expected[i]!, 1e-4, `${g} ${what}`);
    });
  });
}

describe('native fused attention', () => {
  itNative('matches the TS kernels, forward and backward, with and without masks', () => {
    const cases: Case[] = [
      { H: 1, Tq: 1, Tk: 1, D: 1, Dv: 1, causal: false, biasCount: 0 },
      { H: 3, Tq: 7, Tk: 7, D: 5, Dv: 3, causal: true, biasCount: 0 },
      { H: 2, Tq: 5, Tk: 9, D: 8, Dv: 11, causal: true, biasCount: 0 },
      { H: 2, Tq: 9, Tk: 4, D: 3, Dv: 2, causal: true, biasCount: 0 },
      { H: 4, Tq: 13, Tk: 13, D: 16, Dv: 16, causal: false, biasCount: 2 },
      { H: 3, Tq: 6, Tk: 10, D: 7, Dv: 5, causal: true, biasCount: 1 },
      { H: 5, Tq: 70, Tk: 70, D: 9, Dv: 6, causal: true, biasCount: 0 },
      { H: 2, Tq: 67, Tk: 131, D: 4, Dv: 3, causal: false, biasCount: 2 },
      { H: 0, Tq: 4, Tk: 4, D: 4, Dv: 4, causal: false, biasCount: 0 },
      { H: 2, Tq: 0, Tk: 3, D: 4, Dv: 4, causal: true, biasCount: 0 },
      { H: 2, Tq: 3, Tk: 3, D: 0, Dv: 2, causal: false, biasCount: 0 },
      { H: 6, Tq: 9, Tk: 9, D: 5, Dv: 3, causal: true, biasCount: 0, n: 3 },
      { H: 4, Tq: 5, Tk: 8, D: 4, Dv: 6, causal: false, biasCount: 4, n: 2 },
      { H: 8, Tq: 66, Tk: 66, D: 8, Dv: 8, causal: true, biasCount: 2, n: 4 },
    ];
    cases.forEach((c, i) => {
      check(c, 10 * i + 1);
    });
  });

  itNative('rejects bad arguments straight to the binding', () => {
    const n = native as unknown as Record<string, (...args: unknown[]) => void>;
    const f = (size: number) => new Float32Array(size);
    const dims = Float64Array.of(2, 3, 4, 5, 6, 1);
    const ok: unknown[] = [f(30), f(40), f(48), null, null, f(36), f(6), dims, 0.5, false];
    n[NAME]!(...ok);
    const bad: [number, unknown, RegExp][] = [
      [0, f(29), /q has 29 elements, the sizes need 30/],
      [2, new Float64Array(48), /v must be a Float32Array/],
      [5, f(35), /out has 35 elements/],
      [6, f(5), /lse has 5 elements/],
      [7, Float64Array.of(2, 3, 0, 5, 6, 1), /attr 2 is out of range/],
      [7, Float64Array.of(2, 3, 4, 5, 6), /attrs must be a Float64Array of 6/],
      [7, Float64Array.of(2, 3, 4, 5, 6, 0), /attr 5 is out of range/],
      [7, Float64Array.of(2, 3, 4, 5, 6, 3), /headsPerStep must divide the number of heads/],
      [3, f(12), /bias and biasIndex must both be given/],
      [8, 'x', /scale must be a number/],
      [9, 1, /causal must be a boolean/],
    ];
    for (const [at, value, message] of bad) {
      const args = [...ok];
      args[at] = value;
      assert.throws(() => n[NAME]!(...args), message);
    }
    const withBias = [...ok];
    withBias[3] = f(24);
    withBias[4] = Int32Array.of(0, 2);
    assert.throws(() => n[NAME]!(...withBias), /biasIndex\[1\] is outside the bias/);
    withBias[4] = Int32Array.of(0);
    assert.throws(() => n[NAME]!(...withBias), /one entry per head/);
    withBias[4] = Int32Array.of(0, 1);
    n[NAME]!(...withBias);
    assert.throws(() => n[NAME]!(...ok.slice(0, 9)), /expected 10 arguments/);
    const bwd: unknown[] = [
      f(30),
      f(40),
      f(48),
      null,
      null,
      f(36),
      f(36),
      f(6),
      f(30),
      f(40),
      f(48),
    ];
    n[`${NAME}Backward`]!(...bwd, dims, 0.5, true);
    bwd[10] = f(47);
    assert.throws(() => n[`${NAME}Backward`]!(...bwd, dims, 0.5, true), /dv has 47 elements/);
    assert.throws(
      () =>
        getKernel(NAME, 'native')(
          [randomTensor([2, 3, 5], 1), randomTensor([2, 4, 5], 2), randomTensor([2, 4, 5], 3)],
          [zerosOf([2, 3, 6]), zerosOf([2, 3])],
          {
            heads: 2,
            queries: 3,
            keys: 4,
            depth: 5,
            valueDepth: 6,
            scale: 1,
            causal: false,
            headsPerStep: 1,
            biasIndex: null,
          },
        ),
      /scaledDotProductAttention \(native\): v has 40 elements, the attrs need 48/,
    );
  });
});
