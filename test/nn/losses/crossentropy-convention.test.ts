/**
 * Issue 20 item 4: one convention for the three cross-entropies. Behind a softmax or sigmoid op
 * (an activation of the last layer, fused or not) they use the logits; any other probabilities
 * are clipped to [1e-7, 1 - 1e-7].
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { Sequential } from '../../../src/models/sequential.js';
import * as L from '../../../src/nn/layers/index.js';
import { BinaryCrossentropy } from '../../../src/nn/losses/binary-crossentropy.js';
import { CategoricalCrossentropy } from '../../../src/nn/losses/categorical-crossentropy.js';
import { SparseCategoricalCrossentropy } from '../../../src/nn/losses/sparse-categorical-crossentropy.js';
import { sigmoid } from '../../../src/ops/sigmoid.js';
import { softmax } from '../../../src/ops/softmax.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';

const CLIPPED = -Math.log(1e-7); // the loss of a clipped probability 0 for the true class

/** The loss a model reports on (x, y) after its weights are set to `weights`. */
async function modelLoss(
  model: Sequential,
  loss: string,
  weights: Tensor[],
  x: Tensor,
  y: Tensor,
): Promise<number> {
  model.compile({ optimizer: 'sgd', loss: loss as never });
  model.setWeights(weights);
  const r = await model.evaluate(x, y, { verbose: 0 });
  return Array.isArray(r) ? r[0]! : (r as number);
}

describe('cross-entropy behind softmax and sigmoid: the logits route for all three', () => {
  it('categorical and sparse categorical: finite at logits ±1000, exact gradient softmax(z) - y', () => {
    const z = tensor([
      [1000, -1000, 0],
      [-500, 500, 0],
    ]);
    z.requiresGrad = true;
    const t = tensor([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    const cce = new CategoricalCrossentropy().compute(t, softmax(z));
    expectClose(cce, [(2000 + 500) / 2]);
    const [g] = grad(cce, [z]);
    expectClose(g!, [
      [0.5, -0.5, 0],
      [0, 0.5, -0.5],
    ]);
    const z2 = tensor([
      [1000, -1000, 0],
      [-500, 500, 0],
    ]);
    z2.requiresGrad = true;
    const sparse = new SparseCategoricalCrossentropy().compute(tensor([1, 2]), softmax(z2));
    expectClose(sparse, [1250]);
    expectClose(grad(sparse, [z2])[0]!, g!);
  });

  it('binary: finite at logits ±1000, exact gradient (sigmoid(z) - y) / n, same as fromLogits', () => {
    const z = tensor([[1000, -1000, 1000, -1000]]);
    z.requiresGrad = true;
    const t = tensor([[0, 1, 1, 0]]);
    const onSigmoid = new BinaryCrossentropy().call(t, sigmoid(z));
    expectClose(onSigmoid, [500]); // mean of 1000, 1000, 0, 0: not the clipped 16.12
    const [g] = grad(new BinaryCrossentropy().compute(t, sigmoid(z)), [z]);
    expectClose(g!, [[0.25, -0.25, 0, 0]]);
    const zs = rand([3, 2], 4, -30, 30);
    const ts = rand([3, 2], 5, 0, 1);
    expectClose(
      new BinaryCrossentropy().call(ts, sigmoid(zs)),
      new BinaryCrossentropy({ fromLogits: true }).call(ts, zs),
      { atol: 1e-5 },
    );
  });

  it('pass finite-difference gradient checks through the activation', () => {
    const t = tensor([
      [0, 1, 0],
      [1, 0, 0],
    ]);
    expectGradOk(
      (z) => new CategoricalCrossentropy().compute(t, softmax(z)),
      [rand([2, 3], 1, -3, 3)],
    );
    expectGradOk(
      (z) => new SparseCategoricalCrossentropy().compute(tensor([2, 0]), softmax(z)),
      [rand([2, 3], 2, -3, 3)],
    );
    expectGradOk(
      (z) => new BinaryCrossentropy({ labelSmoothing: 0.1 }).compute(t, sigmoid(z)),
      [rand([2, 3], 3, -3, 3)],
    );
  });

  it("apply to a model's last layer, fused (Dense, Conv2D) or separate (Activation)", async () => {
    // Logit 2000 for class 0 against label 1: the logits route gives 2000, clipping 16.12.
    const x = tensor([[20]]);
    const dense = new Sequential([new L.Dense(1, { activation: 'sigmoid', inputShape: [1] })]);
    const w = [tensor([[100]]), tensor([0])];
    assert.equal(await modelLoss(dense, 'binary_crossentropy', w, x, tensor([[0]])), 2000);
    const separate = new Sequential([
      new L.Dense(2, { inputShape: [1] }),
      new L.Activation('softmax'),
    ]);
    const w2 = [tensor([[100, 0]]), tensor([0, 0])];
    const loss2 = await modelLoss(separate, 'categorical_crossentropy', w2, x, tensor([[0, 1]]));
    assert.equal(loss2, 2000);
    const conv = new Sequential([
      new L.Conv2D(2, [1, 1], { activation: 'softmax', inputShape: [1, 1, 1] }),
    ]);
    const xc = tensor([[[[20]]]]);
    const wc = [tensor([[[[100, 0]]]]), tensor([0, 0])];
    const lossC = await modelLoss(conv, 'sparse_categorical_crossentropy', wc, xc, tensor([[[1]]]));
    assert.equal(lossC, 2000);
    const convSigmoid = new Sequential([
      new L.Conv2D(1, [1, 1], { activation: 'sigmoid', inputShape: [1, 1, 1] }),
    ]);
    const ws = [tensor([[[[100]]]]), tensor([0])];
    const lossS = await modelLoss(convSigmoid, 'binary_crossentropy', ws, xc, tensor([[[[0]]]]));
    assert.equal(lossS, 2000);
  });
});

describe('cross-entropy on probabilities of unknown origin: clipped to [1e-7, 1 - 1e-7]', () => {
  it('clips plain probability tensors for all three', () => {
    expectClose(new CategoricalCrossentropy().call(tensor([[1, 0]]), tensor([[0, 1]])), [CLIPPED], {
      rtol: 1e-5,
    });
    expectClose(
      new SparseCategoricalCrossentropy().call(tensor([0]), tensor([[0, 1]])),
      [CLIPPED],
      { rtol: 1e-5 },
    );
    expectClose(new BinaryCrossentropy().call(tensor([[1]]), tensor([[0]])), [CLIPPED], {
      rtol: 1e-5,
    });
  });

  it('clips a model whose output activation is not softmax or sigmoid (hard_sigmoid)', async () => {
    const model = new Sequential([new L.Dense(1, { activation: 'hard_sigmoid', inputShape: [1] })]);
    // hard_sigmoid saturates at exactly 0 for logit -2000; the label is 1.
    const loss = await modelLoss(
      model,
      'binary_crossentropy',
      [tensor([[-100]]), tensor([0])],
      tensor([[20]]),
      tensor([[1]]),
    );
    expectClose([loss], [CLIPPED], { rtol: 1e-5 });
  });
});
