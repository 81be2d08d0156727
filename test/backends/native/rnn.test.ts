import assert from 'node:assert/strict';
import { describe } from 'node:test';
import type { RnnDims } from '../../../src/backends/kernels.js';
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

interface Layer {
  op: 'lstm' | 'gru' | 'simpleRnn';
  gates: number;
  states: number;
  /** Shapes of the saved tensors (after y) for steps T, batch b, units u. */
  saved: (T: number, b: number, u: number) => number[][];
  bias: (u: number) => number[];
}

const LAYERS: Layer[] = [
  {
    op: 'lstm',
    gates: 4,
    states: 2,
    saved: (T, b, u) => [
      [T, b, 4 * u],
      [T + 1, b, u],
      [T + 1, b, u],
    ],
    bias: (u) => [4 * u],
  },
  {
    op: 'gru',
    gates: 3,
    states: 1,
    saved: (T, b, u) => [
      [T, b, 4 * u],
      [T + 1, b, u],
    ],
    bias: (u) => [2, 3 * u],
  },
  {
    op: 'simpleRnn',
    gates: 1,
    states: 1,
    saved: (T, b, u) => [[T + 1, b, u]],
    bias: (u) => [u],
  },
];

interface Case {
  batch: number;
  steps: number;
  inDim: number;
  units: number;
  goBackwards?: boolean;
  /** Fraction of masked steps (0: none). */
  masked?: number;
  /** Recurrent dropout: zero this fraction of the mask, scale the rest. */
  dropout?: number;
  activation?: number;
  recurrentActivation?: number;
}

// tanh, sigmoid, relu, linear, hard_sigmoid, tfjs_hard_sigmoid = 0..5 (RNN_ACTIVATIONS).
const CASES: Case[] = [
  { batch: 3, steps: 5, inDim: 7, units: 9 },
  { batch: 1, steps: 1, inDim: 1, units: 1 },
  { batch: 2, steps: 6, inDim: 3, units: 17, masked: 0.3 },
  { batch: 5, steps: 4, inDim: 2, units: 11, goBackwards: true, masked: 0.25, dropout: 0.3 },
  { batch: 4, steps: 3, inDim: 5, units: 6, activation: 2, recurrentActivation: 4 },
  { batch: 3, steps: 4, inDim: 3, units: 10, activation: 3, recurrentActivation: 0, dropout: 0.5 },
  { batch: 2, steps: 3, inDim: 4, units: 7, activation: 4, recurrentActivation: 1, masked: 0.4 },
  { batch: 2, steps: 3, inDim: 4, units: 5, activation: 1, recurrentActivation: 3 },
  { batch: 3, steps: 4, inDim: 5, units: 13, activation: 0, recurrentActivation: 5, masked: 0.3 },
  // Large enough to thread: by chunks of batch rows (two or more micro-tile rows per thread) or,
  // for a small batch, by panels of units with a barrier per step.
  { batch: 9, steps: 5, inDim: 6, units: 45, masked: 0.2, dropout: 0.2, goBackwards: true },
  { batch: 29, steps: 4, inDim: 5, units: 19, masked: 0.2, dropout: 0.2 },
  { batch: 2, steps: 4, inDim: 3, units: 70, masked: 0.3, goBackwards: true },
  // Empty batch, no steps, no input features.
  { batch: 0, steps: 3, inDim: 2, units: 4 },
  { batch: 2, steps: 0, inDim: 3, units: 5 },
  { batch: 3, steps: 2, inDim: 0, units: 5, masked: 0.3 },
];

function dimsOf(c: Case): RnnDims {
  return {
    batch: c.batch,
    steps: c.steps,
    inDim: c.inDim,
    units: c.units,
    goBackwards: c.goBackwards ?? false,
    activation: c.activation ?? 0,
    recurrentActivation: c.recurrentActivation ?? 1,
  };
}

/** [batch, steps] of 0/1, with the given fraction of zeros (at least one valid step per row). */
function maskTensor(c: Case, seed: number): Tensor {
  const rng = new Rng(seed);
  const m = new Float32Array(c.batch * c.steps).fill(1);
  for (let i = 0; i < m.length; i++) if (rng.uniform() < (c.masked ?? 0)) m[i] = 0;
  return new Tensor(m, [c.batch, c.steps], 'float32');
}

function recurrentMaskTensor(c: Case, seed: number): Tensor {
  const rng = new Rng(seed);
  const p = c.dropout ?? 0;
  const m = new Float32Array(c.batch * c.units);
  for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < p ? 0 : 1 / (1 - p);
  return new Tensor(m, [c.batch, c.units], 'float32');
}

/** The forward inputs of layer l for case c (small weights keep relu and linear stable). */
function forwardInputs(l: Layer, c: Case, seed: number): Tensor[] {
  const { batch: B, steps: T, inDim: I, units: U } = c;
  const G = l.gates * U;
  const states = Array.from({ length: l.states }, (_, i) => randomTensor([B, U], seed + 5 + i));
  return [
    randomTensor([B, T, I], seed),
    randomTensor([I, G], seed + 1, -0.4, 0.4),
    randomTensor([U, G], seed + 2, -0.4, 0.4),
    randomTensor(l.bias(U), seed + 3, -0.5, 0.5),
    ...states,
    maskTensor(c, seed + 8),
    recurrentMaskTensor(c, seed + 9),
  ];
}

describe('native recurrent kernels', () => {
  for (const l of LAYERS) {
    itNative(`${l.op} and ${l.op}Backward match the TS kernels`, () => {
      CASES.forEach((c, ci) => {
        const d = dimsOf(c);
        const { batch: B, steps: T, units: U } = c;
        const inputs = forwardInputs(l, c, 100 * ci);
        const outShapes = [[B, T + l.states, U], ...l.saved(T, B, U)];
        const fresh = outShapes.map((s) => zerosOf(s));
        const want = runOn('ts', l.op, inputs, fresh, d);
        const dy = randomTensor([B, T + l.states, U], 100 * ci + 50);
        const [x, kernel, rk, bias] = inputs;
        const masks = inputs.slice(-2);
        const backInputs = [dy, x!, kernel!, rk!, bias!, ...want.slice(1), ...masks];
        const gradShapes = [x!.shape, kernel!.shape, rk!.shape, bias!.shape];
        for (let i = 0; i < l.states; i++) gradShapes.push([B, U]);
        const freshGrads = gradShapes.map((s) => zerosOf([...s]));
        const wantGrads = runOn('ts', `${l.op}Backward`, backInputs, freshGrads, d);
        forEachConfig((isa, threads) => {
          const what = `${l.op} ${JSON.stringify(c)} on ${isa} x${threads}`;
          const got = runOn('native', l.op, inputs, fresh, d);
          for (const [i, t] of got.entries())
            expectNormClose(t, want[i]!, 1e-4, `${what} output ${i}`);
          const grads = runOn('native', `${l.op}Backward`, backInputs, freshGrads, d);
          for (const [i, t] of grads.entries())
            expectNormClose(t, wantGrads[i]!, 1e-4, `${what} grad ${i}`);
        });
      });
    });
  }

  itNative('overwrites outputs that start with garbage', () => {
    const c: Case = { batch: 3, steps: 4, inDim: 3, units: 5, masked: 0.5 };
    const l = LAYERS[0]!;
    const d = dimsOf(c);
    const inputs = forwardInputs(l, c, 7);
    const shapes = [[3, 6, 5], ...l.saved(4, 3, 5)];
    const want = runOn(
      'ts',
      'lstm',
      inputs,
      shapes.map((s) => zerosOf(s)),
      d,
    );
    const garbage = shapes.map((s) => randomTensor(s, 99, 5, 6));
    const got = runOn('native', 'lstm', inputs, garbage, d);
    for (const [i, t] of got.entries()) expectNormClose(t, want[i]!, 1e-4, `output ${i}`);
  });

  itNative('bindings reject bad arguments instead of reading out of bounds', () => {
    const n = native as unknown as Record<string, (...args: unknown[]) => void>;
    const f = (k: number) => new Float32Array(k);
    // batch 2, steps 3, in 4, units 5: lstm arrays in order.
    const attrs = () => Float64Array.of(2, 3, 4, 5, 0, 0, 1);
    const lstmArgs = () => [
      f(24),
      f(80),
      f(100),
      f(20),
      f(10),
      f(10),
      f(6),
      f(10),
      f(50),
      f(120),
      f(40),
      f(40),
      attrs(),
    ];
    assert.doesNotThrow(() => n['lstm']!(...lstmArgs()));
    const bad: [string, (a: unknown[]) => void][] = [
      ['short x', (a) => (a[0] = f(23))],
      ['long gates', (a) => (a[9] = f(121))],
      ['Float64Array x', (a) => (a[0] = new Float64Array(24))],
      ['missing argument', (a) => a.pop()],
      ['activation 6', (a) => ((a[12] as Float64Array)[5] = 6)],
      ['goBackwards 2', (a) => ((a[12] as Float64Array)[4] = 2)],
      ['fractional batch', (a) => ((a[12] as Float64Array)[0] = 1.5)],
      ['negative units', (a) => ((a[12] as Float64Array)[3] = -1)],
      ['short attrs', (a) => (a[12] = Float64Array.of(2, 3, 4, 5, 0, 0))],
      ['huge sizes', (a) => (a[12] = Float64Array.of(2 ** 31, 2 ** 31, 4, 5, 0, 0, 1))],
    ];
    for (const [what, edit] of bad) {
      const a = lstmArgs();
      edit(a);
      assert.throws(() => n['lstm']!(...a), /keel native lstm/, what);
    }
    // The other five bindings check their array lengths too.
    const calls: [string, number[]][] = [
      ['lstmBackward', [50, 24, 80, 100, 120, 40, 40, 6, 10, 24, 80, 100, 20, 10, 10]],
      ['gru', [24, 60, 75, 30, 10, 6, 10, 40, 120, 40]],
      ['gruBackward', [40, 24, 60, 75, 120, 40, 6, 10, 24, 60, 75, 30, 10]],
      ['simpleRnn', [24, 20, 25, 5, 10, 6, 10, 40, 40]],
      ['simpleRnnBackward', [40, 24, 20, 25, 40, 6, 10, 24, 20, 25, 5, 10]],
    ];
    for (const [name, lengths] of calls) {
      assert.doesNotThrow(() => n[name]!(...lengths.map(f), attrs()), name);
      for (let i = 0; i < lengths.length; i++) {
        const a: unknown[] = lengths.map((k, j) => f(j === i ? k - 1 : k));
        assert.throws(() => n[name]!(...a, attrs()), new RegExp(`keel native ${name}`), name);
      }
    }
  });
});
