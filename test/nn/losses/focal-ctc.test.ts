// Issue 20: focal losses and CTC against torch (fixtures/focal_ctc.py, run with /usr/bin/python3):
// values and gradients, plus finite-difference gradient checks.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { deserializeLoss, getLoss } from '../../../src/nn/losses/get-loss.js';
import {
  BinaryFocalCrossentropy,
  CategoricalFocalCrossentropy,
  CTC,
  type Loss,
} from '../../../src/nn/losses/index.js';
import { ctcLoss } from '../../../src/ops/ctc-loss.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';

const F: any = JSON.parse(
  readFileSync(new URL('fixtures/focal-ctc.json', import.meta.url), 'utf8'),
);
const TOL = { atol: 2e-5, rtol: 2e-4 };

function checkAgainstTorch(
  loss: Loss,
  c: { yTrue: number[][]; yPred: number[][]; perSample: number[]; loss: number; grad: number[][] },
) {
  const yp = tensor(c.yPred);
  expectClose(loss.call(tensor(c.yTrue), yp), c.perSample, TOL);
  yp.requiresGrad = true;
  const total = loss.compute(tensor(c.yTrue), yp);
  expectClose(total, [c.loss], TOL);
  const [g] = grad(total, [yp]);
  expectClose(g!, c.grad.flat(), TOL);
}

function checkSerialization(loss: Loss, names: string[]) {
  for (const n of names) assert.equal(getLoss(n as never).constructor, loss.constructor, n);
  const back = deserializeLoss({
    className: (loss.constructor as unknown as { className: string }).className,
    config: JSON.parse(JSON.stringify(loss.getConfig())),
  });
  assert.equal(back.constructor, loss.constructor);
  assert.deepEqual(back.getConfig(), loss.getConfig());
}

describe('CategoricalFocalCrossentropy', () => {
  it('matches torch (Keras formula) on four inputs, values and gradients', () => {
    for (const c of F.categoricalFocal) {
      const a = c.args;
      const loss = new CategoricalFocalCrossentropy({
        alpha: a.alpha,
        gamma: a.gamma,
        fromLogits: a.from_logits,
        labelSmoothing: a.smoothing,
      });
      checkAgainstTorch(loss, c);
    }
  });

  it('has finite-difference-correct gradients, Keras defaults and names, and a config round trip', () => {
    const t = tensor([
      [0, 1, 0],
      [1, 0, 0],
      [0, 0, 1],
    ]);
    expectGradOk(
      (p) => new CategoricalFocalCrossentropy().compute(t, p),
      [rand([3, 3], 3, 0.1, 1)],
    );
    expectGradOk(
      (p) =>
        new CategoricalFocalCrossentropy({
          fromLogits: true,
          alpha: [0.2, 0.3, 0.5],
          gamma: 1.5,
        }).compute(t, p),
      [rand([3, 3], 4)],
    );
    const l = new CategoricalFocalCrossentropy({ alpha: [0.2, 0.3, 0.5] });
    assert.deepEqual(
      [new CategoricalFocalCrossentropy().alpha, l.gamma, l.name],
      [0.25, 2, 'categorical_focal_crossentropy'],
    );
    checkSerialization(l, ['categorical_focal_crossentropy', 'CategoricalFocalCrossentropy']);
    // Keras's docstring example: [2.63401289e-04, 6.75912094e-01].
    expectClose(
      new CategoricalFocalCrossentropy().call(
        tensor([
          [0, 1, 0],
          [0, 0, 1],
        ]),
        tensor([
          [0.05, 0.9, 0.05],
          [0.1, 0.85, 0.05],
        ]),
      ),
      [2.63401289e-4, 6.75912094e-1],
      { atol: 1e-6, rtol: 1e-5 },
    );
    assert.throws(
      () => l.call(tensor([[0, 1]]), tensor([[0.5, 0.5]])),
      /alpha has 3 weights but yPred \[1, 2\] has 2 classes/,
    );
    assert.throws(
      () => l.call(tensor([1]), tensor([[0.5, 0.5]])),
      /yTrue shape \[1\] does not match yPred shape \[1, 2\]/,
    );
  });
});

describe('BinaryFocalCrossentropy', () => {
  it('matches torch (Keras formula) on four inputs, values and gradients', () => {
    for (const c of F.binaryFocal) {
      const a = c.args;
      const loss = new BinaryFocalCrossentropy({
        applyClassBalancing: a.balancing,
        alpha: a.alpha,
        gamma: a.gamma,
        fromLogits: a.from_logits,
        labelSmoothing: a.smoothing,
      });
      checkAgainstTorch(loss, c);
    }
  });

  it('has finite-difference-correct gradients, Keras defaults and names, and a config round trip', () => {
    const t = tensor([
      [0, 1, 1],
      [1, 0, 0],
    ]);
    expectGradOk((p) => new BinaryFocalCrossentropy().compute(t, p), [rand([2, 3], 5, 0.05, 0.95)]);
    expectGradOk(
      (p) =>
        new BinaryFocalCrossentropy({
          fromLogits: true,
          applyClassBalancing: true,
          labelSmoothing: 0.1,
        }).compute(t, p),
      [rand([2, 3], 6, -3, 3)],
    );
    const l = new BinaryFocalCrossentropy({ applyClassBalancing: true, alpha: 0.3 });
    assert.deepEqual(
      [new BinaryFocalCrossentropy().applyClassBalancing, l.gamma, l.name],
      [false, 2, 'binary_focal_crossentropy'],
    );
    checkSerialization(l, ['binary_focal_crossentropy', 'binaryFocalCrossentropy']);
    // [batch] labels against [batch, 1] predictions give one loss per sample.
    assert.deepEqual([...l.call(tensor([1, 0]), tensor([[0.7], [0.2]])).shape], [2]);
    assert.throws(
      () => new BinaryFocalCrossentropy({ labelSmoothing: 2 }),
      /BinaryFocalCrossentropy: labelSmoothing must be in \[0, 1\], got 2/,
    );
  });
});

describe('CTC (Keras 3: blank and padding 0)', () => {
  for (const c of F.ctc) {
    it(`${c.name}: per-sample losses and gradients match torch.nn.functional.ctc_loss`, () => {
      const loss = new CTC({ fromLogits: c.fromLogits });
      const yp = tensor(c.yPred);
      const labels = tensor(c.labels, undefined, 'int32');
      const want = c.loss.map((v: number | string) =>
        v === 'Infinity' ? Number.POSITIVE_INFINITY : v,
      );
      expectClose(loss.call(labels, yp), want, TOL);
      // torch's gradient is of the sum (zero_infinity: 0 for an infeasible sample, as Keel's).
      yp.requiresGrad = true;
      const [g] = grad(loss.compute(labels, yp), [yp]);
      expectClose(
        g!,
        (c.grad.flat(2) as number[]).map((v) => v / want.length),
        TOL,
      );
    });
  }

  it('its gradient passes a finite-difference check (logits and probabilities, repeated labels)', () => {
    const labels = tensor(
      [
        [1, 1, 2],
        [3, 0, 0],
      ],
      undefined,
      'int32',
    );
    expectGradOk((p) => new CTC().compute(labels, p), [rand([2, 6, 4], 7, -2, 2)]);
    const probs = tensor(rand([2, 6, 4], 8, 0.05, 1).data, [2, 6, 4]);
    expectGradOk((p) => new CTC({ fromLogits: false }).compute(labels, p), [probs]);
    expectGradOk(
      (x) => ctcLoss(x, [[2, 1]], { blankIndex: 3, logitLengths: [4] }),
      [rand([1, 5, 4], 9)],
    );
  });

  it('rejects bad shapes and labels, naming them; names and config round trip', () => {
    const l = new CTC();
    assert.throws(
      () => l.call(tensor([1, 2]), tensor([[[0.1]]])),
      /ctc: expected yTrue \[batch, maxLabelLength\] and yPred \[batch, time, classes\], got yTrue \[2\] and yPred \[1, 1, 1\]/,
    );
    assert.throws(
      () => l.call(tensor([[1, 0, 2]]), rand([1, 5, 3])),
      /yTrue row 0 has label 2 after the padding 0 at position 1/,
    );
    assert.throws(
      () => l.call(tensor([[5]]), rand([1, 5, 3])),
      /ctcLoss: label 5 at \[0, 0\] must be a class in \[0, 3\) other than the blank 0/,
    );
    assert.equal(l.name, 'ctc');
    checkSerialization(new CTC({ fromLogits: false }), ['ctc', 'CTC']);
  });

  it('ctcLoss: lengths cut labels and time steps; a nonzero blank; bad arguments are named', () => {
    const x = rand([2, 6, 4], 10, -2, 2);
    const full = ctcLoss(
      x,
      [
        [1, 2, 3],
        [2, 0, 0],
      ],
      { labelLengths: [3, 1], logitLengths: [6, 4] },
    );
    // Sample 1 over its first 4 steps with label [2] equals the same sample cut to 4 steps.
    const cut = tensor(Array.from(x.data.slice(24, 40)), [1, 4, 4]);
    expectClose(full.data.slice(1), ctcLoss(cut, [[2]]).data, { atol: 1e-6, rtol: 1e-6 });
    // A blank at index 3 with labels 0..2 is the blank-0 problem with the classes rotated.
    const rotated = tensor(
      Array.from({ length: 48 }, (_, i) => x.data[i - (i % 4) + (((i % 4) + 1) % 4)]!),
      [2, 6, 4],
    );
    expectClose(
      ctcLoss(
        rotated,
        [
          [0, 1, 2],
          [1, 1, 1],
        ],
        { blankIndex: 3, labelLengths: [3, 1] },
      ),
      ctcLoss(
        x,
        [
          [1, 2, 3],
          [2, 2, 2],
        ],
        { labelLengths: [3, 1] },
      ),
      { atol: 1e-6, rtol: 1e-6 },
    );
    assert.throws(
      () => ctcLoss(x, [[1], [2]], { blankIndex: 4 }),
      /ctcLoss: blankIndex 4 is outside \[0, 4\)/,
    );
    assert.throws(
      () => ctcLoss(x, [[1], [2]], { labelLengths: [2, 1] }),
      /ctcLoss: labelLengths must be 2 integers in \[0, 1\], got \[2,1\]/,
    );
    assert.throws(
      () => ctcLoss(x, [[1], [2]], { logitLengths: [7, 1] }),
      /ctcLoss: logitLengths must be 2 integers in \[0, 6\]/,
    );
    assert.throws(
      () => ctcLoss(rand([2, 4]), [[1]]),
      /ctcLoss: expected logits \[batch, time, classes\] and labels \[batch, maxLabelLength\]/,
    );
    assert.throws(
      () => ctcLoss(x, tensor([[1], [2]])),
      /ctcLoss: argument 'labels' has dtype float32; expected int32/,
    );
  });
});
