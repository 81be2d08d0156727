import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { abs } from '../../src/ops/abs.js';
import { ceil } from '../../src/ops/ceil.js';
import { cos } from '../../src/ops/cos.js';
import { erf } from '../../src/ops/erf.js';
import { exp } from '../../src/ops/exp.js';
import { floor } from '../../src/ops/floor.js';
import { log } from '../../src/ops/log.js';
import { log1p } from '../../src/ops/log1p.js';
import { neg } from '../../src/ops/neg.js';
import { reciprocal } from '../../src/ops/reciprocal.js';
import { round } from '../../src/ops/round.js';
import { rsqrt } from '../../src/ops/rsqrt.js';
import { sigmoid } from '../../src/ops/sigmoid.js';
import { sign } from '../../src/ops/sign.js';
import { sin } from '../../src/ops/sin.js';
import { softplus } from '../../src/ops/softplus.js';
import { sqrt } from '../../src/ops/sqrt.js';
import { square } from '../../src/ops/square.js';
import { tan } from '../../src/ops/tan.js';
import { tanh } from '../../src/ops/tanh.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk } from '../helpers.js';

const ERF: Record<number, number> = {
  [-3]: -0.9999779095030014,
  [-1.5]: -0.9661051464753108,
  [-1]: -0.8427007929497149,
  [-0.3]: -0.3286267594591274,
  0: 0,
  0.5: 0.5204998778130465,
  1: 0.8427007929497149,
  2: 0.9953222650189527,
  3: 0.9999779095030014,
  4: 0.9999999845827421,
};

function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

interface Case {
  name: string;
  fn: (x: Tensor) => Tensor;
  /** The float64 specification. */
  ref: (v: number) => number;
  /** Plain values inside the domain (exactly representable in float32). */
  values: number[];
  /** Points for the finite-difference check, away from kinks and jumps. */
  gradAt: number[];
  /** [input, expected] for NaN, ±Infinity and other edge values. */
  special: [number, number][];
  /** The dtype an int32 input produces. */
  intOut: 'int32' | 'float32';
}

const WIDE = [-2.5, -1, -0.375, 0, 0.75, 1.5, 3];
const POSITIVE = [0.125, 0.5, 1, 2.5, 10];
const SMOOTH = [-1.3, -0.4, 0.2, 0.9, 1.7];

const CASES: Case[] = [
  {
    name: 'neg',
    fn: neg,
    ref: (v) => -v,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [Number.NaN, Number.NaN],
      [Infinity, -Infinity],
    ],
    intOut: 'int32',
  },
  {
    name: 'abs',
    fn: abs,
    ref: Math.abs,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [Number.NaN, Number.NaN],
      [-Infinity, Infinity],
    ],
    intOut: 'int32',
  },
  {
    name: 'sign',
    fn: sign,
    ref: Math.sign,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [Number.NaN, Number.NaN],
      [-Infinity, -1],
      [Infinity, 1],
    ],
    intOut: 'int32',
  },
  {
    name: 'exp',
    fn: exp,
    ref: Math.exp,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [Number.NaN, Number.NaN],
      [Infinity, Infinity],
      [-Infinity, 0],
      [1000, Infinity],
    ],
    intOut: 'float32',
  },
  {
    name: 'log',
    fn: log,
    ref: Math.log,
    values: POSITIVE,
    gradAt: [0.3, 0.8, 1.5, 4],
    special: [
      [0, -Infinity],
      [-1, Number.NaN],
      [Infinity, Infinity],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'log1p',
    fn: log1p,
    ref: Math.log1p,
    values: [-0.5, 0, ...POSITIVE],
    gradAt: [-0.5, 0.3, 0.8, 4],
    special: [
      [-1, -Infinity],
      [-2, Number.NaN],
      [Infinity, Infinity],
    ],
    intOut: 'float32',
  },
  {
    name: 'sqrt',
    fn: sqrt,
    ref: Math.sqrt,
    values: [0, ...POSITIVE],
    gradAt: [0.3, 0.8, 1.5, 4],
    special: [
      [-1, Number.NaN],
      [Infinity, Infinity],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'rsqrt',
    fn: rsqrt,
    ref: (v) => 1 / Math.sqrt(v),
    values: POSITIVE,
    gradAt: [0.3, 0.8, 1.5, 4],
    special: [
      [0, Infinity],
      [Infinity, 0],
      [-1, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'square',
    fn: square,
    ref: (v) => v * v,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [-Infinity, Infinity],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'int32',
  },
  {
    name: 'reciprocal',
    fn: reciprocal,
    ref: (v) => 1 / v,
    values: [-2.5, -0.375, 0.75, 3],
    gradAt: [-1.3, -0.4, 0.9, 1.7],
    special: [
      [0, Infinity],
      [-0, -Infinity],
      [Infinity, 0],
    ],
    intOut: 'float32',
  },
  {
    name: 'sin',
    fn: sin,
    ref: Math.sin,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [Infinity, Number.NaN],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'cos',
    fn: cos,
    ref: Math.cos,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [-Infinity, Number.NaN],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'tan',
    fn: tan,
    ref: Math.tan,
    values: [-1.25, -0.5, 0, 0.375, 1, 1.5],
    gradAt: SMOOTH.filter((v) => Math.abs(v) < 1.3),
    special: [
      [Infinity, Number.NaN],
      [Number.NaN, Number.NaN],
      [-0, -0],
    ],
    intOut: 'float32',
  },
  {
    name: 'tanh',
    fn: tanh,
    ref: Math.tanh,
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [Infinity, 1],
      [-Infinity, -1],
      [1000, 1],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'sigmoid',
    fn: sigmoid,
    ref: (v) => 1 / (1 + Math.exp(-v)),
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [Infinity, 1],
      [-Infinity, 0],
      [1000, 1],
      [-1000, 0],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'softplus',
    fn: softplus,
    ref: (v) => Math.log1p(Math.exp(v)),
    values: WIDE,
    gradAt: SMOOTH,
    special: [
      [1000, 1000],
      [-1000, 0],
      [Infinity, Infinity],
      [-Infinity, 0],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'erf',
    fn: erf,
    ref: (v) => ERF[v]!,
    values: [-3, -1.5, -1, 0, 0.5, 1, 2, 4],
    gradAt: SMOOTH,
    special: [
      [Infinity, 1],
      [-Infinity, -1],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'float32',
  },
  {
    name: 'floor',
    fn: floor,
    ref: Math.floor,
    values: WIDE,
    gradAt: [-1.3, -0.4, 0.2, 0.7],
    special: [
      [-Infinity, -Infinity],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'int32',
  },
  {
    name: 'ceil',
    fn: ceil,
    ref: Math.ceil,
    values: WIDE,
    gradAt: [-1.3, -0.4, 0.2, 0.7],
    special: [
      [Infinity, Infinity],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'int32',
  },
  {
    name: 'round',
    fn: round,
    ref: roundHalfEven,
    values: [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 2.6, -0.375],
    gradAt: [-1.3, -0.3, 0.2, 0.7],
    special: [
      [Infinity, Infinity],
      [Number.NaN, Number.NaN],
    ],
    intOut: 'int32',
  },
];

for (const c of CASES) {
  describe(c.name, () => {
    it('matches the float64 reference on plain values', () => {
      const y = c.fn(tensor(c.values));
      assert.equal(y.dtype, 'float32');
      expectClose(y, c.values.map(c.ref), { atol: 1e-6, rtol: 1e-6 });
    });

    it('keeps rank 0 and high-rank shapes, and maps an empty tensor to an empty one', () => {
      const v = c.values[1]!;
      const y0 = c.fn(tensor(v));
      assert.deepEqual(y0.shape, []);
      expectClose(y0, [c.ref(v)], { atol: 1e-6, rtol: 1e-6 });
      const shape = [2, 1, 2, 1, 2];
      const values = Array.from({ length: 8 }, (_, i) => c.values[i % c.values.length]!);
      const y = c.fn(tensor(Float32Array.from(values), shape));
      assert.deepEqual(y.shape, shape);
      expectClose(y, values.map(c.ref), { atol: 1e-6, rtol: 1e-6 });
      assert.deepEqual(c.fn(tensor(new Float32Array(0), [0, 3])).shape, [0, 3]);
    });

    it('handles NaN, infinities and extreme values', () => {
      const inputs = c.special.map(([x]) => x);
      expectClose(
        c.fn(tensor(inputs)),
        c.special.map(([, y]) => y),
        { atol: 1e-6 },
      );
    });

    it('accepts int32 and produces the documented dtype', () => {
      const y = c.fn(tensor(Int32Array.from([1, 2, 3])));
      assert.equal(y.dtype, c.intOut);
      expectClose(y, [1, 2, 3].map(c.ref), { atol: c.intOut === 'int32' ? 0 : 1e-6, rtol: 1e-6 });
    });

    it('has the right gradient', () => {
      expectGradOk(c.fn, [tensor(c.gradAt)]);
      expectGradOk(c.fn, [tensor(c.gradAt[0]!)]);
    });

    it('rejects bool input, naming the op', () => {
      assert.throws(
        () => c.fn(tensor([true, false])),
        new RegExp(`^TypeError: ${c.name}: argument 'x' has dtype bool`),
      );
    });
  });
}

describe('unary math edge cases', () => {
  it('log1p stays accurate for tiny x and erf is odd', () => {
    expectClose(log1p(tensor([1e-10])), [1e-10], { atol: 0, rtol: 1e-6 });
    expectClose(erf(tensor([-0.5])), [-ERF[0.5]!], { atol: 1e-7 });
  });

  it('gradients of piecewise-constant ops are zero, not missing', () => {
    const x = tensor([0.3, -1.7]);
    x.requiresGrad = true;
    for (const f of [floor, ceil, round, sign]) assert.equal(f(x).requiresGrad, true);
  });
});
