import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { CategoricalCrossentropy } from '../../src/nn/losses/categorical-crossentropy.js';
import { SparseCategoricalCrossentropy } from '../../src/nn/losses/sparse-categorical-crossentropy.js';
import { logSoftmax } from '../../src/ops/log-softmax.js';
import { mul } from '../../src/ops/mul.js';
import { oneHot } from '../../src/ops/one-hot.js';
import { softmax } from '../../src/ops/softmax.js';
import { softmaxCrossEntropy } from '../../src/ops/softmax-cross-entropy.js';
import { sparseSoftmaxCrossEntropy } from '../../src/ops/sparse-softmax-cross-entropy.js';
import { sum } from '../../src/ops/sum.js';
import { tensor } from '../../src/tensor/create.js';
import { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

/** Float64 Σ t (lse(x) - x) per row of [rows, C] data. */
function reference(x: Tensor, t: ArrayLike<number>): number[] {
  const C = x.shape.at(-1)!;
  const rows = x.size / C;
  return Array.from({ length: rows }, (_, r) => {
    const row = Array.from(x.data.subarray(r * C, (r + 1) * C));
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
    return row.reduce((s, v, i) => s + t[r * C + i]! * (lse - v), 0);
  });
}

const labels = new Tensor(Int32Array.from([2, 0, -1, 4, 1, 3]), [2, 3], 'int32');
const oneHotOf = (l: Tensor, C: number) => oneHot(l, C).data;

describe('softmaxCrossEntropy and sparseSoftmaxCrossEntropy', () => {
  const x = rand([2, 3, 5], 3, -4, 4);
  const t = rand([2, 3, 5], 4, 0, 1);

  it('match the float64 reference, stably for huge logits', () => {
    expectClose(softmaxCrossEntropy(x, t), reference(x, t.data), { atol: 1e-5 });
    const sparse = sparseSoftmaxCrossEntropy(x, labels);
    assert.deepEqual(sparse.shape, [2, 3]);
    const want = reference(x, oneHotOf(labels, 5));
    expectClose(sparse, want, { atol: 1e-5 });
    assert.equal(sparse.data[2], 0, 'label -1 is ignored');
    expectClose(sparseSoftmaxCrossEntropy(tensor([[1000, 0]]), [1]), [1000]);
    expectClose(softmaxCrossEntropy(tensor([[-1000, 0]]), tensor([[1, 0]])), [1000]);
  });

  it('have the right gradients, also through a recorded backward pass', () => {
    expectGradOk((a, b) => softmaxCrossEntropy(a, b), [x, t]);
    expectGradOk((a) => sparseSoftmaxCrossEntropy(a, labels), [x]);
    // Second derivatives (the backward pass recorded) agree with the composite -Σ t logSoftmax(x).
    const w = rand([2, 3, 5], 5);
    const valid = tensor(
      Float32Array.from(labels.data, (l) => (l < 0 ? 0 : 1)),
      [2, 3, 1],
    );
    const targets = mul(oneHot(labels, 5), valid);
    const second = (f: (a: Tensor) => Tensor) => {
      const a = x.clone();
      a.requiresGrad = true;
      const [d] = grad(sum(f(a)), [a], { createGraph: true });
      return grad(sum(mul(d!, w)), [a])[0]!;
    };
    const composite = (tt: Tensor) => (a: Tensor) => mul(logSoftmax(a), tt);
    const negSum = (f: (a: Tensor) => Tensor) => (a: Tensor) => mul(sum(f(a)), -1);
    expectClose(
      second((a) => sparseSoftmaxCrossEntropy(a, labels)),
      second(negSum(composite(targets))),
      { atol: 1e-5 },
    );
    expectClose(
      second((a) => softmaxCrossEntropy(a, t)),
      second(negSum(composite(t))),
      { atol: 1e-5 },
    );
  });

  it('reject mismatched shapes, bad labels and dtypes naming the op', () => {
    assert.throws(
      () => softmaxCrossEntropy(x, rand([2, 3, 4])),
      /^RangeError: softmaxCrossEntropy: logits \[2, 3, 5\]/,
    );
    assert.throws(
      () => sparseSoftmaxCrossEntropy(x, [1, 2]),
      /^RangeError: sparseSoftmaxCrossEntropy: labels \[2\]/,
    );
    assert.throws(
      () => sparseSoftmaxCrossEntropy(tensor([[1, 2]]), [2]),
      /label 2 at index 0 is outside \[0, 2\)/,
    );
    assert.throws(() => softmaxCrossEntropy(tensor(1), tensor(1)), /RangeError/);
    assert.throws(
      () =>
        sparseSoftmaxCrossEntropy(
          x,
          tensor([
            [0.5, 1, 1],
            [1, 1, 1],
          ]),
        ),
      /TypeError/,
    );
  });
});

describe('fused softmax backward kernels', () => {
  it('give the composite gradients, with and without a recorded backward pass', () => {
    const x = rand([3, 4, 7], 8, -3, 3);
    const w = rand([3, 4, 7], 9);
    for (const f of [softmax, logSoftmax]) {
      for (const axis of [-1, 1, 0]) {
        x.requiresGrad = true;
        const fused = grad(sum(mul(f(x, axis), w)), [x])[0]!;
        const composite = grad(sum(mul(f(x, axis), w)), [x], { createGraph: true })[0]!;
        x.requiresGrad = false;
        expectClose(fused, composite, { atol: 1e-6 });
      }
    }
  });
});

describe('cross-entropy losses on a softmax output use its logits', () => {
  const logits = rand([6, 5], 12, -10, 10);
  const sparse = new Tensor(Int32Array.from([0, 4, 2, 2, 1, 3]), [6], 'int32');

  it('give the logits loss, unclipped, and its gradient', () => {
    const cce = new CategoricalCrossentropy();
    const scce = new SparseCategoricalCrossentropy();
    const fromLogits = new SparseCategoricalCrossentropy({ fromLogits: true });
    const dense = oneHot(sparse, 5);
    const want = fromLogits.compute(sparse, logits).item();
    expectClose([scce.compute(sparse, softmax(logits)).item()], [want], { atol: 1e-5 });
    expectClose([cce.compute(dense, softmax(logits)).item()], [want], { atol: 1e-5 });
    // The logits path is exact where the clipped probabilities would cap the loss at -ln 1e-7.
    const far = tensor([[-40, 40]]);
    expectClose([scce.compute(tensor([0], undefined, 'int32'), softmax(far)).item()], [80], {
      atol: 1e-3,
    });
    logits.requiresGrad = true;
    const g = grad(scce.compute(sparse, softmax(logits)), [logits])[0]!;
    const p = softmax(logits).data;
    const d = dense.data;
    expectClose(
      g,
      Array.from(p, (v, i) => (v - d[i]!) / 6),
      { atol: 1e-6 },
    );
    logits.requiresGrad = false;
  });

  it('skip ignored labels and keep the mean over the others', () => {
    const scce = new SparseCategoricalCrossentropy({ ignoreClass: 2 });
    const plain = new SparseCategoricalCrossentropy({ fromLogits: true });
    const kept = [0, 1, 4, 5];
    const sub = new Tensor(
      Float32Array.from(kept.flatMap((r) => Array.from(logits.data.subarray(r * 5, r * 5 + 5)))),
      [4, 5],
      'float32',
    );
    const subLabels = new Tensor(Int32Array.from(kept.map((r) => sparse.data[r]!)), [4], 'int32');
    expectClose(
      [scce.compute(sparse, softmax(logits)).item()],
      [plain.compute(subLabels, sub).item()],
      { atol: 1e-5 },
    );
  });
});
