import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { norm } from '../../src/ops/norm.js';
import { tensor } from '../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

describe('norm', () => {
  const x = rand([2, 3, 4], 41);

  it('is the float64 Euclidean norm over all axes, one axis and several', () => {
    const d = Array.from(x.data);
    expectClose(norm(x), [Math.hypot(...d)], { rtol: 1e-6 });
    const rows = Array.from({ length: 6 }, (_, r) => Math.hypot(...d.slice(r * 4, r * 4 + 4)));
    expectClose(norm(x, -1), rows, { rtol: 1e-6 });
    const y = norm(x, [0, 2], true);
    assert.deepEqual(y.shape, [1, 3, 1]);
    const want = [0, 1, 2].map((j) =>
      Math.hypot(...d.slice(j * 4, j * 4 + 4), ...d.slice(12 + j * 4, 12 + j * 4 + 4)),
    );
    expectClose(y, want, { rtol: 1e-6 });
    expectClose(norm(tensor([[3, 4]]), 1), [5]);
  });

  it('does not overflow or underflow on extreme magnitudes', () => {
    expectClose(norm(tensor([3e30, 4e30])), [5e30], { rtol: 1e-6 });
    expectClose(norm(tensor([3e-30, 4e-30])), [5e-30], { rtol: 1e-6 });
  });

  it('handles zeros, infinities, NaN, rank 0, int32 and empty axes', () => {
    expectClose(norm(tensor([0, 0])), [0]);
    expectClose(norm(tensor([Infinity, 1])), [Infinity]);
    expectClose(norm(tensor([Number.NaN, 1])), [Number.NaN]);
    expectClose(norm(tensor(-2)), [2]);
    const i = norm(tensor(Int32Array.from([3, 4])));
    assert.equal(i.dtype, 'float32');
    expectClose(i, [5]);
    expectClose(norm(tensor(new Float32Array(0), [2, 0]), 1), [0, 0]);
  });

  it('has gradient x / |x|, and 0 (not NaN) at the origin', () => {
    expectGradOk((t) => norm(t), [x]);
    expectGradOk((t) => norm(t, 1, true), [x]);
    const z = tensor([
      [0, 0],
      [3, 4],
    ]);
    z.requiresGrad = true;
    expectClose(grad(norm(z, 1), [z])[0]!, [0, 0, 0.6, 0.8]);
  });

  it('rejects bool and bad axes naming norm', () => {
    assert.throws(() => norm(tensor([true])), /^TypeError: norm: argument 'x' has dtype bool/);
    assert.throws(() => norm(x, [1, 1]), /^RangeError: norm: repeated axis/);
  });
});
