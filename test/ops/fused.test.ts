import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { activationGrad } from '../../src/ops/activation-grad.js';
import { add } from '../../src/ops/add.js';
import { biasActivation } from '../../src/ops/bias-activation.js';
import { conv2d } from '../../src/ops/conv2d.js';
import { dense } from '../../src/ops/dense.js';
import { fusedConv2d } from '../../src/ops/fused-conv2d.js';
import type { FusedActivation } from '../../src/ops/internal/fused-activation.js';
import { matMul } from '../../src/ops/matmul.js';
import { relu } from '../../src/ops/relu.js';
import { reshape } from '../../src/ops/reshape.js';
import { sigmoid } from '../../src/ops/sigmoid.js';
import { softmax } from '../../src/ops/softmax.js';
import { tanh } from '../../src/ops/tanh.js';
import { setSeed } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

const ACTS: FusedActivation[] = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'];
const unfused: Record<FusedActivation, (x: Tensor) => Tensor> = {
  linear: (x) => x,
  relu,
  sigmoid,
  tanh,
  softmax: (x) => softmax(x, -1),
};

describe('biasActivation', () => {
  it('equals the unfused add and activation, with and without bias', () => {
    const x = rand([3, 4, 5], 1, -3, 3);
    const b = rand([5], 2);
    for (const act of ACTS) {
      expectClose(biasActivation(x, b, act), unfused[act](add(x, b)));
      expectClose(biasActivation(x, undefined, act), unfused[act](x));
    }
  });

  it('keeps NaN and handles a row of -Infinity in softmax', () => {
    const x = tensor([Number.NaN, -1, 2, -Infinity, -Infinity, -Infinity], [2, 3]);
    const r = biasActivation(x, undefined, 'relu').data;
    assert.ok(Number.isNaN(r[0]!));
    assert.deepEqual([...r.slice(1)], [0, 2, 0, 0, 0]);
    const s = biasActivation(x, undefined, 'softmax').data;
    assert.ok(Number.isNaN(s[0]!) && Number.isNaN(s[3]!));
  });

  it('has the finite-difference gradient for every activation', () => {
    setSeed(3);
    for (const act of ACTS) {
      expectGradOk((x, b) => biasActivation(x, b!, act), [rand([2, 3, 4], 4, -2, 2), rand([4], 5)]);
    }
  });

  it('rejects a bias that does not match the last axis and unknown activations', () => {
    assert.throws(
      () => biasActivation(rand([2, 3]), rand([4]), 'relu'),
      /biasActivation: expected bias \[3\]/,
    );
    assert.throws(
      () => biasActivation(rand([2, 3]), undefined, 'gelu' as FusedActivation),
      /biasActivation: activation must be one of/,
    );
  });
});

describe('activationGrad', () => {
  it('equals the unfused gradient of each activation', () => {
    const x = rand([3, 6], 6, -2, 2);
    const dy = rand([3, 6], 7);
    for (const act of ACTS) {
      const leaf = x.clone();
      leaf.requiresGrad = true;
      const y = unfused[act](leaf);
      const [expected] = grad(y, [leaf], { outputGrad: dy });
      expectClose(activationGrad(dy, y, act), expected!, { atol: 1e-5, rtol: 1e-4 });
    }
  });

  it('is itself differentiable (second order)', () => {
    setSeed(8);
    for (const act of ['sigmoid', 'tanh', 'softmax'] as const) {
      const y = unfused[act](rand([2, 5], 9, -1.5, 1.5));
      expectGradOk((dy, yy) => activationGrad(dy, yy!, act), [rand([2, 5], 10), y]);
    }
    // relu's mask is a step in y: keep y away from 0 so finite differences do not cross it.
    const y = tensor([0.5, -0.7, 1.2, -0.3, 0.9, 0.4, -1, 0.8, -0.6, 0.2], [2, 5]);
    expectGradOk((dy, yy) => activationGrad(dy, yy!, 'relu'), [rand([2, 5], 10), y]);
  });
});

describe('fusedConv2d', () => {
  it('equals conv2d + bias + activation and has the finite-difference gradient', () => {
    setSeed(11);
    const x = rand([2, 6, 5, 2], 12);
    const w = rand([3, 3, 2, 3], 13);
    const b = rand([3], 14);
    for (const act of ACTS) {
      for (const padding of ['valid', 'same'] as const) {
        const y = fusedConv2d(x, w, b, { padding, activation: act });
        expectClose(y, unfused[act](add(conv2d(x, w, { padding }), b)), { atol: 1e-5, rtol: 1e-4 });
      }
      expectGradOk(
        (xx, ww, bb) =>
          fusedConv2d(xx, ww!, bb!, { strides: [2, 1], padding: 'same', activation: act }),
        [x, w, b],
      );
    }
    expectClose(fusedConv2d(x, w), conv2d(x, w));
  });

  it('names the op in its errors', () => {
    assert.throws(
      () => fusedConv2d(rand([1, 4, 4, 2]), rand([3, 3, 2, 3]), rand([2])),
      /fusedConv2d: expected bias \[3\] for 3 filters, got \[2\]/,
    );
  });
});

describe('dense with a fused activation', () => {
  it('equals matMul + bias + activation and has the finite-difference gradient', () => {
    setSeed(15);
    const x = rand([2, 3, 4], 16);
    const w = rand([4, 5], 17);
    const b = rand([5], 18);
    for (const act of ACTS) {
      const expected = reshape(unfused[act](add(matMul(reshape(x, [6, 4]), w), b)), [2, 3, 5]);
      expectClose(dense(x, w, b, act), expected, { atol: 1e-5, rtol: 1e-4 });
      expectGradOk((xx, ww, bb) => dense(xx, ww!, bb!, act), [x, w, b]);
    }
  });
});
