import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import {
  getRegularizer,
  l1,
  l1l2,
  l2,
  serializeRegularizer,
} from '../../../src/nn/regularizers/index.js';
import { tensor } from '../../../src/tensor/create.js';
import { Variable } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';

const w = tensor([
  [1, -2],
  [3, -0.5],
]);

describe('regularizers', () => {
  it('compute Keras penalties as scalars', () => {
    const p1 = l1()(w);
    assert.deepEqual(p1.shape, []);
    expectClose(p1, [0.01 * 6.5]);
    expectClose(l1(0.1)(w), [0.65], { atol: 1e-6 });
    expectClose(l2()(w), [0.01 * 14.25]);
    expectClose(l2(1e-3)(w), [0.01425], { atol: 1e-7 });
    expectClose(l1l2({ l1: 0.1, l2: 0.2 })(w), [0.65 + 2.85], { atol: 1e-5 });
    expectClose(l1l2()(w), [0]);
  });

  it('are differentiable: d(l2 Σw²)/dw = 2 l2 w, d(l1 Σ|w|)/dw = l1 sign(w)', () => {
    const v = new Variable(w);
    expectClose(grad(l2(0.5)(v), [v])[0]!, [1, -2, 3, -0.5]);
    expectClose(grad(l1(0.5)(v), [v])[0]!, [0.5, -0.5, 0.5, -0.5]);
  });

  it('getRegularizer accepts names, configs, functions and nothing', () => {
    expectClose(getRegularizer('l2')!(w), [0.1425], { atol: 1e-6 });
    expectClose(getRegularizer('L1')!(w), [0.065], { atol: 1e-6 });
    expectClose(getRegularizer('l1_l2')!(w), [0.065 + 0.1425], { atol: 1e-6 });
    expectClose(getRegularizer({ className: 'L1L2', config: { l1: 0, l2: 1 } })!(w), [14.25]);
    const fn = l2(3);
    assert.equal(getRegularizer(fn), fn);
    assert.equal(getRegularizer(null), null);
    assert.equal(getRegularizer(undefined), null);
    assert.throws(
      () => getRegularizer('l3'),
      /Unknown regularizer 'l3'; valid names: l1, l2, l1l2/,
    );
  });

  it('serialize to {className, config} and back', () => {
    assert.deepEqual(serializeRegularizer(l2(0.001)), { className: 'L2', config: { l2: 0.001 } });
    assert.deepEqual(serializeRegularizer(l1l2({ l1: 0.1 })), {
      className: 'L1L2',
      config: { l1: 0.1, l2: 0 },
    });
    const back = getRegularizer(serializeRegularizer(l1(0.2)))!;
    assert.deepEqual(serializeRegularizer(back), { className: 'L1', config: { l1: 0.2 } });
    assert.throws(
      () => serializeRegularizer((x) => x),
      /custom regularizer function cannot be serialized/,
    );
  });

  it('reject negative or non-finite factors', () => {
    assert.throws(() => l1(-1), /L1: l1 must be a finite number >= 0, got -1/);
    assert.throws(() => l2(Number.NaN), /L2: l2 must be a finite number >= 0, got NaN/);
    assert.throws(() => l1l2({ l2: Infinity }), /L1L2: l2 must be a finite number >= 0/);
  });
});
