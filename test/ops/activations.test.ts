import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { clipByValue } from '../../src/ops/clip-by-value.js';
import { elu } from '../../src/ops/elu.js';
import { gelu } from '../../src/ops/gelu.js';
import { leakyRelu } from '../../src/ops/leaky-relu.js';
import { relu } from '../../src/ops/relu.js';
import { relu6 } from '../../src/ops/relu6.js';
import { selu } from '../../src/ops/selu.js';
import { silu } from '../../src/ops/silu.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk } from '../helpers.js';

const GELU_EXACT: Record<number, number> = {
  [-3]: -0.00404969409489031,
  [-1.5]: -0.10021080190328713,
  [-1]: -0.15865525393145707,
  0: 0,
  0.5: 0.34573123063700656,
  1: 0.8413447460685429,
  2: 1.9544997361036416,
  4: 3.9998733150326675,
};
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const geluTanhRef = (v: number) =>
  0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));

interface Case {
  name: string;
  fn: (x: Tensor) => Tensor;
  ref: (v: number) => number;
  values: number[];
  /** Away from the kinks at 0 (and 6 for relu6). */
  gradAt: number[];
  special: [number, number][];
}

const VALUES = [-3, -1.5, -1, 0, 0.5, 1, 2, 4];
const GRAD_AT = [-2.2, -0.7, -0.2, 0.3, 1.1, 2.5];

const CASES: Case[] = [
  {
    name: 'relu',
    fn: relu,
    ref: (v) => Math.max(v, 0),
    values: VALUES,
    gradAt: GRAD_AT,
    special: [
      [Infinity, Infinity],
      [-Infinity, 0],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'relu6',
    fn: relu6,
    ref: (v) => Math.min(Math.max(v, 0), 6),
    values: [...VALUES, 6, 7.5],
    gradAt: [...GRAD_AT, 5.5, 7],
    special: [
      [Infinity, 6],
      [-Infinity, 0],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'leakyRelu',
    fn: (x) => leakyRelu(x),
    ref: (v) => (v > 0 ? v : 0.2 * v),
    values: VALUES,
    gradAt: GRAD_AT,
    special: [
      [-Infinity, -Infinity],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'leakyRelu(alpha=0.01)',
    fn: (x) => leakyRelu(x, 0.01),
    ref: (v) => (v > 0 ? v : 0.01 * v),
    values: VALUES,
    gradAt: GRAD_AT,
    special: [[Infinity, Infinity]],
  },
  {
    name: 'elu',
    fn: (x) => elu(x),
    ref: (v) => (v > 0 ? v : Math.expm1(v)),
    values: VALUES,
    gradAt: GRAD_AT,
    special: [
      [-Infinity, -1],
      [Infinity, Infinity],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'elu(alpha=0.5)',
    fn: (x) => elu(x, 0.5),
    ref: (v) => (v > 0 ? v : 0.5 * Math.expm1(v)),
    values: VALUES,
    gradAt: GRAD_AT,
    special: [[-Infinity, -0.5]],
  },
  {
    name: 'selu',
    fn: selu,
    ref: (v) => SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v)),
    values: VALUES,
    gradAt: GRAD_AT,
    special: [
      [-Infinity, -SELU_SCALE * SELU_ALPHA],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'gelu',
    fn: (x) => gelu(x),
    ref: (v) => GELU_EXACT[v]!,
    values: VALUES,
    gradAt: [-3.1, ...GRAD_AT, 3.6],
    special: [
      [Infinity, Infinity],
      [-40, 0],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'gelu(approximate)',
    fn: (x) => gelu(x, true),
    ref: geluTanhRef,
    values: VALUES,
    gradAt: [-3.1, ...GRAD_AT, 3.6],
    special: [
      [Infinity, Infinity],
      [-40, 0],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'silu',
    fn: silu,
    ref: (v) => v / (1 + Math.exp(-v)),
    values: VALUES,
    gradAt: GRAD_AT,
    special: [
      [Infinity, Infinity],
      [-1000, 0],
      [Number.NaN, Number.NaN],
    ],
  },
  {
    name: 'clipByValue',
    fn: (x) => clipByValue(x, -1.25, 2.5),
    ref: (v) => Math.min(Math.max(v, -1.25), 2.5),
    values: VALUES,
    gradAt: [-2, -0.7, 0.3, 1.1, 2.2, 3],
    special: [
      [Infinity, 2.5],
      [-Infinity, -1.25],
      [Number.NaN, Number.NaN],
    ],
  },
];

for (const c of CASES) {
  describe(c.name, () => {
    it('matches the float64 reference', () => {
      expectClose(c.fn(tensor(c.values)), c.values.map(c.ref), { atol: 1e-6, rtol: 1e-6 });
    });

    it('keeps rank-0, high-rank and empty shapes', () => {
      const y0 = c.fn(tensor(-1));
      assert.deepEqual(y0.shape, []);
      expectClose(y0, [c.ref(-1)], { atol: 1e-6, rtol: 1e-6 });
      const values = [-1.5, 0.5, 2, -3, 4, 1, -1, 0];
      const y = c.fn(tensor(Float32Array.from(values), [2, 2, 1, 2]));
      assert.deepEqual(y.shape, [2, 2, 1, 2]);
      expectClose(y, values.map(c.ref), { atol: 1e-6, rtol: 1e-6 });
      assert.deepEqual(c.fn(tensor(new Float32Array(0), [3, 0])).shape, [3, 0]);
    });

    it('handles NaN and infinities', () => {
      expectClose(
        c.fn(tensor(c.special.map(([x]) => x))),
        c.special.map(([, y]) => y),
        { atol: 1e-6 },
      );
    });

    it('has the right gradient', () => {
      expectGradOk(c.fn, [tensor(c.gradAt)]);
    });

    it('rejects bool input', () => {
      const op = c.name.replace(/\(.*\)$/, '');
      assert.throws(
        () => c.fn(tensor([true])),
        new RegExp(`^TypeError: ${op}: argument 'x' has dtype bool`),
      );
    });
  });
}

describe('activation details', () => {
  it('relu and relu6 keep int32; the others compute in float32', () => {
    const x = tensor(Int32Array.from([-2, 3, 8]));
    assert.equal(relu(x).dtype, 'int32');
    expectClose(relu6(x), [0, 3, 6]);
    assert.equal(relu6(x).dtype, 'int32');
    assert.equal(leakyRelu(x).dtype, 'float32');
    expectClose(leakyRelu(x), [-0.4, 3, 8]);
    expectClose(clipByValue(x, 0, 5), [0, 3, 5]);
  });

  it("relu' is the step function: 0 at x = 0", () => {
    const x = tensor([-1, 0, 2]);
    x.requiresGrad = true;
    expectClose(grad(relu(x), [x])[0]!, [0, 0, 1]);
  });

  it('clipByValue passes the gradient inside [lo, hi], bounds included', () => {
    const x = tensor([-2, 0, 1, 3, 4]);
    x.requiresGrad = true;
    expectClose(grad(clipByValue(x, 0, 3), [x])[0]!, [0, 1, 1, 1, 0]);
  });

  it('clipByValue rejects lo > hi naming the op', () => {
    assert.throws(() => clipByValue(tensor([1]), 2, 1), /^RangeError: clipByValue: lo \(2\)/);
  });

  it('gelu approximations differ by less than 1e-3', () => {
    const x = tensor(VALUES);
    expectClose(gelu(x, true), Array.from(gelu(x).data), { atol: 1e-3 });
  });

  it('gelu(approximate) has a second derivative (its fused backward is not a dead end)', () => {
    const at = [-2.5, -0.7, 0, 0.4, 1.9];
    const d1 = (v: number[]) => {
      const x = tensor(v);
      x.requiresGrad = true;
      return grad(gelu(x, true), [x])[0]!;
    };
    const x = tensor(at);
    x.requiresGrad = true;
    const [g] = grad(gelu(x, true), [x], { createGraph: true });
    const [gg] = grad(g!, [x]);
    const eps = 1e-2;
    const plus = d1(at.map((v) => v + eps)).data;
    const minus = d1(at.map((v) => v - eps)).data;
    expectClose(
      gg!,
      at.map((_, i) => (plus[i]! - minus[i]!) / (2 * eps)),
      { atol: 2e-3 },
    );
  });
});
