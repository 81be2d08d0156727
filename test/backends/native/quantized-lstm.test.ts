import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { QuantizedLstmAttrs } from '../../../src/backends/kernels.js';
import { Rng } from '../../../src/random/rng.js';
import { Tensor } from '../../../src/tensor/tensor.js';
import {
  expectNormClose,
  forEachConfig,
  itNative,
  randomTensor,
  runOn,
  zerosOf,
} from './native-helpers.js';

interface Case {
  batch: number;
  steps: number;
  inDim: number;
  units: number;
  goBackwards?: boolean;
  masked?: number;
  activation?: number;
  recurrentActivation?: number;
}

// Odd sizes (tile remainders of every ISA's micro-kernel), masks, both directions, other
// activations, empty batch and no steps; 32 x 96 and 19 x 64 (a partial chunk) are big enough
// to run batch chunks on threads.
const CASES: Case[] = [
  { batch: 3, steps: 5, inDim: 7, units: 9 },
  { batch: 1, steps: 1, inDim: 1, units: 1 },
  { batch: 2, steps: 6, inDim: 3, units: 17, masked: 0.3 },
  { batch: 5, steps: 4, inDim: 13, units: 11, goBackwards: true, masked: 0.25 },
  { batch: 4, steps: 3, inDim: 5, units: 6, activation: 2, recurrentActivation: 4 },
  { batch: 3, steps: 4, inDim: 5, units: 13, recurrentActivation: 5, masked: 0.3 },
  { batch: 9, steps: 7, inDim: 33, units: 45, masked: 0.2, goBackwards: true },
  { batch: 32, steps: 6, inDim: 40, units: 96 },
  { batch: 19, steps: 4, inDim: 9, units: 64, masked: 0.2 },
  { batch: 0, steps: 3, inDim: 2, units: 4 },
  { batch: 2, steps: 0, inDim: 3, units: 5 },
];

function int8Tensor(shape: number[], seed: number): Tensor {
  const rng = new Rng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  const d = new Int8Array(n);
  for (let i = 0; i < n; i++) d[i] = Math.floor(rng.uniform() * 255) - 127;
  return new Tensor(d, shape, 'int8');
}

function inputs(c: Case, seed: number): Tensor[] {
  const { batch: B, steps: T, inDim: I, units: U } = c;
  const G = 4 * U;
  const rng = new Rng(seed + 7);
  const mask = new Float32Array(B * T).fill(1);
  for (let i = 0; i < mask.length; i++) if (rng.uniform() < (c.masked ?? 0)) mask[i] = 0;
  return [
    randomTensor([B, T, I], seed),
    int8Tensor([I, G], seed + 1),
    randomTensor([G], seed + 2, 0.001, 0.004),
    int8Tensor([U, G], seed + 3),
    randomTensor([G], seed + 4, 0.001, 0.004),
    randomTensor([G], seed + 5, -0.5, 0.5),
    randomTensor([B, U], seed + 6),
    randomTensor([B, U], seed + 8),
    new Tensor(mask, [B, T], 'float32'),
  ];
}

const attrsOf = (c: Case): QuantizedLstmAttrs => ({
  batch: c.batch,
  steps: c.steps,
  inDim: c.inDim,
  units: c.units,
  goBackwards: c.goBackwards ?? false,
  activation: c.activation ?? 0,
  recurrentActivation: c.recurrentActivation ?? 1,
});

describe('native quantizedLstm', () => {
  itNative('matches the TS kernel on every ISA and 1, 2, 3 threads', () => {
    CASES.forEach((c, ci) => {
      const ins = inputs(c, 100 + ci);
      const outs = [zerosOf([c.batch, c.steps + 2, c.units]), zerosOf([2])];
      const [yTs, pTs] = runOn('ts', 'quantizedLstm', ins, outs, attrsOf(c));
      forEachConfig((isa, threads) => {
        const [y, p] = runOn('native', 'quantizedLstm', ins, outs, attrsOf(c));
        const what = `case ${ci} on ${isa}, ${threads} thread(s)`;
        // x's quantization is exact; h's can flip by one step where the float32 cells differ
        // by an ulp (tanh, exp), which the later steps carry.
        assert.deepEqual([...p!.data], [...pTs!.data], `${what}: x's scale and zero point`);
        expectNormClose(y!, yTs!, c.steps > 1 ? 1e-2 : 1e-5, what);
      });
    });
  });

  itNative('one step from zero states is the integer product and the cell (tight)', () => {
    const c: Case = { batch: 7, steps: 1, inDim: 37, units: 19 };
    const ins = inputs(c, 5);
    ins[6] = zerosOf([7, 19]);
    const outs = [zerosOf([7, 3, 19]), zerosOf([2])];
    const [yTs] = runOn('ts', 'quantizedLstm', ins, outs, attrsOf(c));
    forEachConfig((isa, threads) => {
      const [y] = runOn('native', 'quantizedLstm', ins, outs, attrsOf(c));
      expectNormClose(y!, yTs!, 1e-6, `${isa}, ${threads} thread(s)`);
    });
  });

  itNative("a sample's output does not depend on its batchmates (h ranged per row)", () => {
    // x's range is shared by the call, so every sample keeps one value at x's extremes.
    const c: Case = { batch: 24, steps: 5, inDim: 6, units: 70 };
    const ins = inputs(c, 21);
    const x = ins[0]!.data as Float32Array;
    for (let b = 0; b < c.batch; b++) {
      x[b * 30] = 1;
      x[b * 30 + 1] = -1;
    }
    const row = (t: Tensor, b: number, n: number) =>
      new Tensor(t.data.slice(b * n, (b + 1) * n), [1, ...t.shape.slice(1)], t.dtype);
    const b = 17;
    const G = 4 * c.units;
    const alone = ins.map((t, i) =>
      i === 0 ? row(t, b, 30) : i >= 6 ? row(t, b, t.size / c.batch) : t,
    );
    assert.equal(alone[1]!.size, 6 * G);
    const outs = [zerosOf([c.batch, c.steps + 2, c.units]), zerosOf([2])];
    const one = { ...c, batch: 1 };
    for (const backend of ['ts', 'native'] as const) {
      forEachConfig((isa, threads) => {
        const [y] = runOn(backend, 'quantizedLstm', ins, outs, attrsOf(c));
        const [y1] = runOn(
          backend,
          'quantizedLstm',
          alone,
          [zerosOf([1, 7, 70]), zerosOf([2])],
          attrsOf(one),
        );
        const n = (c.steps + 2) * c.units;
        assert.deepEqual(
          [...y1!.data],
          [...y!.data.slice(b * n, (b + 1) * n)],
          `${backend} ${isa} ${threads}`,
        );
      });
    }
  });

  itNative('reports a non-finite x through params', () => {
    const c: Case = { batch: 2, steps: 3, inDim: 4, units: 5 };
    const ins = inputs(c, 9);
    (ins[0]!.data as Float32Array)[5] = Number.NaN;
    const [, p] = runOn(
      'native',
      'quantizedLstm',
      ins,
      [zerosOf([2, 5, 5]), zerosOf([2])],
      attrsOf(c),
    );
    assert.ok(Number.isNaN(p!.data[0]));
  });
});
