import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { mul } from '../../src/ops/mul.js';
import { stopGradient } from '../../src/ops/stop-gradient.js';
import { sum } from '../../src/ops/sum.js';
import { scalar, tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, rand } from '../helpers.js';

describe('stopGradient', () => {
  it('passes values through, sharing storage, for any rank and dtype', () => {
    const x = rand([2, 3, 1, 2]);
    const y = stopGradient(x);
    assert.deepEqual(y.shape, x.shape);
    assert.equal(y.data, x.data);
    expectClose(stopGradient(scalar(2)), [2]);
    assert.equal(stopGradient(tensor(Int32Array.from([1]))).dtype, 'int32');
    assert.deepEqual(stopGradient(tensor(new Float32Array(0), [0, 2])).shape, [0, 2]);
  });

  it('blocks the gradient: d/dx sum(x * stopGradient(x)) = x, not 2x', () => {
    const x = tensor([1, -2, 3]);
    x.requiresGrad = true;
    const y = stopGradient(x);
    assert.equal(y.requiresGrad, false);
    assert.equal(y.gradFn, null);
    const [dx] = grad(sum(mul(x, y)), [x]) as [Tensor];
    expectClose(dx, [1, -2, 3]);
  });
});
