import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { BinaryCrossentropy } from '../../../src/nn/losses/binary-crossentropy.js';
import { CategoricalCrossentropy } from '../../../src/nn/losses/categorical-crossentropy.js';
import { SparseCategoricalCrossentropy } from '../../../src/nn/losses/sparse-categorical-crossentropy.js';
import { sigmoid } from '../../../src/ops/sigmoid.js';
import { softmax } from '../../../src/ops/softmax.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';

const oneHot = tensor([
  [0, 1, 0],
  [0, 0, 1],
]);
const probs = tensor([
  [0.05, 0.95, 0],
  [0.1, 0.8, 0.1],
]);
const logits = tensor([
  [2, -1, 0.5],
  [0.3, 0.1, -2],
  [-1, 3, 1],
]);
const logitLabels = tensor([
  [1, 0, 0],
  [0, 0, 1],
  [0, 1, 0],
]);

describe('CategoricalCrossentropy', () => {
  it('gives -log p of the true class per sample (Keras docs: 1.177)', () => {
    const cce = new CategoricalCrossentropy();
    expectClose(cce.call(oneHot, probs), [-Math.log(0.95), -Math.log(0.1)]);
    expectClose(cce.compute(oneHot, probs), [1.1769392], { atol: 1e-6 });
    assert.equal(cce.name, 'categorical_crossentropy');
  });

  it('weights samples and divides by the batch size, not the weights (Keras docs: 0.814)', () => {
    const loss = new CategoricalCrossentropy().compute(oneHot, probs, tensor([0.3, 0.7]));
    expectClose(loss, [(0.3 * -Math.log(0.95) + 0.7 * -Math.log(0.1)) / 2]);
    expectClose(loss, [0.8135], { atol: 1e-4 });
  });

  it('normalises and clips probabilities like Keras (0 → 1e-7)', () => {
    const y = tensor([[0, 0, 1]]);
    const unnormalised = tensor([[1, 1, 2]]);
    expectClose(new CategoricalCrossentropy().call(y, unnormalised), [-Math.log(0.5)]);
    expectClose(new CategoricalCrossentropy().call(y, tensor([[0.5, 0.5, 0]])), [-Math.log(1e-7)], {
      rtol: 1e-4,
    });
  });

  it('smooths labels: y (1 - s) + s / classes', () => {
    const s = 0.1;
    const want = (probs.array() as number[][]).map((row, b) =>
      row.reduce((acc, p, j) => {
        const t = (oneHot.array() as number[][])[b]![j]! * (1 - s) + s / 3;
        return acc - t * Math.log(Math.min(Math.max(p, 1e-7), 1 - 1e-7));
      }, 0),
    );
    expectClose(new CategoricalCrossentropy({ labelSmoothing: s }).call(oneHot, probs), want, {
      rtol: 1e-4,
    });
  });

  it('from logits equals the probability version on softmax(logits)', () => {
    const fromLogits = new CategoricalCrossentropy({ fromLogits: true }).call(logitLabels, logits);
    const fromProbs = new CategoricalCrossentropy().call(logitLabels, softmax(logits));
    expectClose(fromLogits, fromProbs, { atol: 1e-5 });
    const ls = { labelSmoothing: 0.2 };
    expectClose(
      new CategoricalCrossentropy({ fromLogits: true, ...ls }).call(logitLabels, logits),
      new CategoricalCrossentropy(ls).call(logitLabels, softmax(logits)),
      { atol: 1e-5 },
    );
  });

  it('stays finite for extreme logits, with a finite gradient', () => {
    const z = tensor([[1000, -1000, 0]]);
    z.requiresGrad = true;
    const loss = new CategoricalCrossentropy({ fromLogits: true }).compute(tensor([[0, 1, 0]]), z);
    expectClose(loss, [2000]);
    const [g] = grad(loss, [z]);
    expectClose(g!, [1, -1, 0]);
  });

  it('supports another class axis', () => {
    const t = tensor([[[0], [1]]]); // [1, 2, 1], classes on axis 1
    const p = tensor([[[0.25], [0.75]]]);
    expectClose(new CategoricalCrossentropy({ axis: 1 }).call(t, p), [[-Math.log(0.75)]]);
  });

  it('passes gradient checks (probabilities, logits, smoothing, weights)', () => {
    const y = tensor([
      [0, 1, 0, 0],
      [0.2, 0.3, 0.5, 0],
      [0, 0, 0, 1],
    ]);
    const p = rand([3, 4], 1, 0.1, 1);
    const w = tensor([0.5, 2, 1]);
    expectGradOk((x) => new CategoricalCrossentropy().compute(y, x), [p]);
    expectGradOk((x) => new CategoricalCrossentropy({ labelSmoothing: 0.1 }).compute(y, x, w), [p]);
    expectGradOk(
      (x) => new CategoricalCrossentropy({ fromLogits: true }).call(y, x),
      [rand([3, 4], 2, -3, 3)],
    );
  });

  it('rejects integer labels and mismatched shapes with a hint', () => {
    assert.throws(
      () => new CategoricalCrossentropy().compute(tensor(new Array(32).fill(1)), rand([32, 10])),
      (e: Error) =>
        e instanceof RangeError &&
        e.message ===
          'categorical_crossentropy: yTrue shape [32] does not match yPred shape [32, 10]; for integer class labels use sparse_categorical_crossentropy',
    );
    assert.throws(
      () => new CategoricalCrossentropy({ labelSmoothing: 2 }),
      /labelSmoothing must be in \[0, 1\]/,
    );
  });
});

describe('SparseCategoricalCrossentropy', () => {
  it('picks -log p[label] (Keras docs: 1.177, weighted 0.814)', () => {
    const scce = new SparseCategoricalCrossentropy();
    const labels = tensor([1, 2]);
    expectClose(scce.call(labels, probs), [-Math.log(0.95), -Math.log(0.1)]);
    expectClose(scce.compute(labels, probs), [1.1769392], { atol: 1e-6 });
    expectClose(scce.compute(labels, probs, tensor([0.3, 0.7])), [0.8135], { atol: 1e-4 });
    expectClose(scce.compute(tensor([1, 2], undefined, 'int32'), probs), [1.1769392], {
      atol: 1e-6,
    });
    expectClose(scce.compute(tensor([[1], [2]]), probs), [1.1769392], { atol: 1e-6 });
  });

  it('equals categorical crossentropy on the one-hot labels (probabilities and logits)', () => {
    const labels = tensor([0, 2, 1]);
    expectClose(
      new SparseCategoricalCrossentropy({ fromLogits: true }).call(labels, logits),
      new CategoricalCrossentropy({ fromLogits: true }).call(logitLabels, logits),
      { atol: 1e-6 },
    );
    const p = rand([3, 3], 5, 0.05, 1);
    expectClose(
      new SparseCategoricalCrossentropy().call(labels, p),
      new CategoricalCrossentropy().call(logitLabels, p),
      { atol: 1e-6 },
    );
  });

  it('keeps leading axes ([batch, steps] labels against [batch, steps, classes])', () => {
    const p = softmax(rand([2, 3, 4], 7));
    const labels = tensor([
      [0, 3, 1],
      [2, 2, 0],
    ]);
    const losses = new SparseCategoricalCrossentropy().call(labels, p);
    assert.deepEqual(losses.shape, [2, 3]);
    const pa = p.array() as number[][][];
    expectClose(
      losses,
      [
        [-Math.log(pa[0]![0]![0]!), -Math.log(pa[0]![1]![3]!), -Math.log(pa[0]![2]![1]!)],
        [-Math.log(pa[1]![0]![2]!), -Math.log(pa[1]![1]![2]!), -Math.log(pa[1]![2]![0]!)],
      ],
      { atol: 1e-6 },
    );
  });

  it('ignores ignoreClass labels and averages over the others', () => {
    const scce = new SparseCategoricalCrossentropy({ ignoreClass: -1 });
    const labels = tensor([1, -1, 2]);
    const p = tensor([
      [0.05, 0.95, 0],
      [0.3, 0.3, 0.4],
      [0.1, 0.8, 0.1],
    ]);
    expectClose(scce.call(labels, p), [-Math.log(0.95), 0, -Math.log(0.1)]);
    expectClose(scce.compute(labels, p), [1.1769392], { atol: 1e-6 });
    expectGradOk((x) => scce.compute(labels, x), [rand([3, 3], 3, 0.1, 1)]);
  });

  it('stays finite for extreme logits', () => {
    const loss = new SparseCategoricalCrossentropy({ fromLogits: true }).call(
      tensor([0, 1]),
      tensor([
        [-1000, 1000],
        [-1000, 1000],
      ]),
    );
    expectClose(loss, [2000, 0]);
  });

  it('passes gradient checks (probabilities, logits)', () => {
    const labels = tensor([3, 0, 1, 1]);
    expectGradOk(
      (x) => new SparseCategoricalCrossentropy().compute(labels, x),
      [rand([4, 5], 11, 0.1, 1)],
    );
    expectGradOk(
      (x) =>
        new SparseCategoricalCrossentropy({ fromLogits: true }).compute(
          labels,
          x,
          tensor([1, 2, 0.5, 0]),
        ),
      [rand([4, 5], 12, -3, 3)],
    );
  });

  it('rejects labels out of range and one-hot labels', () => {
    const scce = new SparseCategoricalCrossentropy();
    assert.throws(
      () => scce.call(tensor([1, 10]), rand([2, 10])),
      (e: Error) =>
        e instanceof RangeError &&
        /sparse_categorical_crossentropy: label 10 at index 1 is out of range \[0, 10\)/.test(
          e.message,
        ),
    );
    assert.throws(
      () => scce.call(tensor([-1, 0]), rand([2, 10])),
      /label -1 at index 0 is out of range/,
    );
    assert.throws(() => scce.call(tensor([0.5, 0]), rand([2, 10])), /label 0.5 at index 0/);
    assert.throws(
      () => scce.call(rand([32, 10]), rand([32, 10])),
      /sparse_categorical_crossentropy: yTrue shape \[32, 10\] does not match yPred shape \[32, 10\]: expected integer labels of shape \[32\]; for one-hot labels use categorical_crossentropy/,
    );
  });
});

describe('BinaryCrossentropy', () => {
  const y = tensor([
    [0, 1],
    [0, 0],
  ]);
  const p = tensor([
    [0.6, 0.4],
    [0.4, 0.6],
  ]);

  it('averages over the last axis (Keras docs: 0.815)', () => {
    const bce = new BinaryCrossentropy();
    const want = [-Math.log(0.4), -(Math.log(0.6) + Math.log(0.4)) / 2];
    expectClose(bce.call(y, p), want, { atol: 1e-6 });
    expectClose(bce.compute(y, p), [0.81492424], { atol: 1e-6 });
    expectClose(bce.compute(y, p, tensor([1, 0])), [want[0]! / 2], { atol: 1e-6 });
  });

  it('from logits (Keras docs: 0.865) equals probabilities on sigmoid(logits)', () => {
    const t = tensor([0, 1, 0, 0]);
    const z = tensor([-18.6, 0.51, 2.94, -12.8]);
    expectClose(new BinaryCrossentropy({ fromLogits: true }).compute(t, z), [0.865458], {
      atol: 1e-5,
    });
    const zz = rand([3, 4], 3, -4, 4);
    const tt = rand([3, 4], 4, 0, 1);
    expectClose(
      new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).call(tt, zz),
      new BinaryCrossentropy({ labelSmoothing: 0.1 }).call(tt, sigmoid(zz)),
      { atol: 1e-5 },
    );
  });

  it('smooths labels toward 0.5', () => {
    const s = 0.2;
    const t = [0 * (1 - s) + 0.5 * s, 1 * (1 - s) + 0.5 * s];
    const want =
      -(
        t[0]! * Math.log(0.6) +
        (1 - t[0]!) * Math.log(0.4) +
        t[1]! * Math.log(0.4) +
        (1 - t[1]!) * Math.log(0.6)
      ) / 2;
    expectClose(
      new BinaryCrossentropy({ labelSmoothing: s }).call(tensor([[0, 1]]), tensor([[0.6, 0.4]])),
      [want],
      {
        atol: 1e-6,
      },
    );
  });

  it('is finite at extreme logits and at probabilities 0 and 1', () => {
    const z = tensor([1000, -1000, 1000, -1000]);
    z.requiresGrad = true;
    const t = tensor([0, 1, 1, 0]);
    const loss = new BinaryCrossentropy({ fromLogits: true }).call(t, z);
    expectClose(loss, [1000, 1000, 0, 0]);
    const [g] = grad(new BinaryCrossentropy({ fromLogits: true }).compute(t, z), [z]);
    expectClose(g!, [0.25, -0.25, 0, 0]);
    const clipped = new BinaryCrossentropy().call(tensor([1, 0]), tensor([0, 1]));
    // 1 - 1e-7 rounds to float32 as Keras's clip does, so the second value is 15.94, not 16.12.
    expectClose(clipped, [-Math.log(1e-7), -Math.log(1 - Math.fround(1 - 1e-7))], { rtol: 1e-5 });
  });

  it('accepts [batch] labels against [batch, 1] predictions', () => {
    const loss = new BinaryCrossentropy().call(tensor([1, 0]), tensor([[0.8], [0.3]]));
    expectClose(loss, [-Math.log(0.8), -Math.log(0.7)], { atol: 1e-6 });
    assert.throws(
      () => new BinaryCrossentropy().call(tensor([[1, 0]]), tensor([[0.8], [0.3]])),
      /binary_crossentropy: yTrue shape \[1, 2\] does not match yPred shape \[2, 1\]/,
    );
  });

  it('passes gradient checks (probabilities, logits, smoothing)', () => {
    const t = rand([3, 2], 8, 0, 1);
    expectGradOk((x) => new BinaryCrossentropy().compute(t, x), [rand([3, 2], 9, 0.05, 0.95)]);
    expectGradOk(
      (x) => new BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).compute(t, x),
      [rand([3, 2], 10, -4, 4)],
    );
  });
});
