import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type ActivationName,
  elu,
  gelu,
  getActivation,
  hardSigmoid,
  leakyRelu,
  linear,
  registerActivation,
  relu,
  serializeActivation,
  softmax,
  softsign,
} from '../../../src/nn/activations/index.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';

const x = tensor([-3, -1, -0.5, 0, 0.5, 1, 3]);
const xs = [...x.data];
const sig = (v: number) => 1 / (1 + Math.exp(-v));

describe('activations', () => {
  it('compute Keras formulas with Keras defaults', () => {
    const cases: [string, (v: number) => number][] = [
      ['relu', (v) => Math.max(v, 0)],
      ['relu6', (v) => Math.min(Math.max(v, 0), 6)],
      ['sigmoid', sig],
      ['tanh', Math.tanh],
      ['linear', (v) => v],
      ['softplus', (v) => Math.log1p(Math.exp(v))],
      ['softsign', (v) => v / (1 + Math.abs(v))],
      ['elu', (v) => (v > 0 ? v : Math.exp(v) - 1)],
      ['leaky_relu', (v) => (v > 0 ? v : 0.2 * v)],
      ['selu', (v) => 1.0507009873554805 * (v > 0 ? v : 1.6732632423543772 * (Math.exp(v) - 1))],
      ['silu', (v) => v * sig(v)],
      ['swish', (v) => v * sig(v)],
      ['hard_sigmoid', (v) => Math.min(Math.max(v + 3, 0), 6) / 6],
      ['hardSwish', (v) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6],
      ['mish', (v) => v * Math.tanh(Math.log1p(Math.exp(v)))],
      ['exponential', Math.exp],
      ['gelu', (v) => 0.5 * v * (1 + erf(v / Math.SQRT2))],
    ];
    for (const [name, f] of cases) {
      expectClose(getActivation(name as ActivationName)(x), xs.map(f), { atol: 1e-5, rtol: 1e-4 });
    }
  });

  it('softmax normalizes over the last axis by default', () => {
    const m = tensor([
      [1, 2, 3],
      [0, 0, 0],
    ]);
    const e = [1, 2, 3].map(Math.exp);
    const s = e.reduce((a, b) => a + b);
    expectClose(getActivation('softmax')(m), [...e.map((v) => v / s), 1 / 3, 1 / 3, 1 / 3]);
    expectClose(softmax(m, 0), [sig(1), sig(2), sig(3), sig(-1), sig(-2), sig(-3)], { atol: 1e-6 });
    expectClose(
      getActivation('log_softmax')(m),
      [...e.map((v) => Math.log(v / s)), ...[0, 0, 0].map(() => Math.log(1 / 3))],
      { atol: 1e-6 },
    );
  });

  it('take their extra arguments when called directly', () => {
    expectClose(
      leakyRelu(x, 0.1),
      xs.map((v) => (v > 0 ? v : 0.1 * v)),
    );
    expectClose(
      elu(x, 2),
      xs.map((v) => (v > 0 ? v : 2 * (Math.exp(v) - 1))),
      { atol: 1e-6 },
    );
    const tanhGelu = (v: number) =>
      0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
    expectClose(gelu(x, true), xs.map(tanhGelu), { atol: 1e-5 });
  });

  it('have correct gradients', () => {
    for (const name of ['softsign', 'hard_sigmoid', 'mish', 'gelu', 'softmax', 'selu']) {
      // Keep away from the kinks of hard_sigmoid (±3) and selu (0).
      expectGradOk((t) => getActivation(name as ActivationName)(t), [rand([3, 4], 7, 0.1, 2.5)]);
    }
    expectGradOk((t) => softsign(t), [rand([5], 8, -2.5, -0.1)]);
    expectGradOk((t) => hardSigmoid(t), [rand([5], 9, -2.5, -0.1)]);
  });

  it('null and undefined mean linear; functions pass through', () => {
    assert.equal(getActivation(null), linear);
    assert.equal(getActivation(undefined), linear);
    assert.equal(getActivation(relu), relu);
    assert.equal(linear(x), x);
  });

  it('serialize back to their names', () => {
    assert.equal(serializeActivation(getActivation('ReLU' as ActivationName)), 'relu');
    assert.equal(serializeActivation(getActivation('leaky_relu')), 'leakyRelu');
    assert.equal(serializeActivation(leakyRelu), 'leakyRelu');
    assert.equal(serializeActivation(getActivation('swish')), 'silu');
    assert.equal(serializeActivation(getActivation(null)), 'linear');
    assert.throws(
      () => serializeActivation((t) => t),
      /custom activation is not registered; call registerActivation/,
    );
    const cube = (t: typeof x) => t;
    registerActivation('myCube', cube);
    // A registered name is not in the type: it is cast (or the function passed).
    assert.equal(getActivation('my_cube' as ActivationName), cube);
    assert.equal(serializeActivation(cube), 'myCube');
  });

  it('reject unknown names listing the valid ones', () => {
    assert.throws(
      // @ts-expect-error: an unknown name (rejected at run time too)
      () => getActivation('relu7'),
      /Unknown activation 'relu7'; valid names: relu, relu6, leakyRelu, elu, selu, sigmoid, hardSigmoid, tanh, softmax/,
    );
    assert.throws(
      () => getActivation(3 as unknown as ActivationName),
      /getActivation: expected a name or a function, got 3/,
    );
  });
});

/** Abramowitz–Stegun 7.1.26 (|error| < 1.5e-7). */
function erf(v: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(v));
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-v * v);
  return v >= 0 ? y : -y;
}
