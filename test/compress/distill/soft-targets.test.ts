import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { outputLogits, softTargetKL, softTargets } from '../../../src/compress/distill/index.js';
import { getLoss } from '../../../src/nn/losses/get-loss.js';
import { KLDivergence } from '../../../src/nn/losses/kl-divergence.js';
import { mean } from '../../../src/ops/mean.js';
import { sigmoid } from '../../../src/ops/sigmoid.js';
import { softmax } from '../../../src/ops/softmax.js';
import { sum } from '../../../src/ops/sum.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';

/** float64 reference: T² Σ p log(p / q) per row, p = softmax(t / T), q = softmax(s / T). */
function handKL(t: number[], s: number[], T: number): number {
  const soft = (z: number[]) => {
    const m = Math.max(...z.map((v) => v / T));
    const e = z.map((v) => Math.exp(v / T - m));
    const sum = e.reduce((a, b) => a + b);
    return e.map((v) => v / sum);
  };
  const p = soft(t);
  const q = soft(s);
  return T * T * p.reduce((acc, pi, i) => acc + pi * Math.log(pi / q[i]!), 0);
}

const teacher = [
  [2, 0.5, -1],
  [0, 3, 1],
];
const student = [
  [1, 1, 0],
  [0.5, -0.5, 2],
];

describe('softTargetKL (Hinton et al. 2015)', () => {
  it('equals T² · KL(softmax(t/T) ‖ softmax(s/T)) computed by hand, row by row', () => {
    for (const T of [1, 2, 5]) {
      const got = softTargetKL(tensor(teacher), tensor(student), T, 'softmax');
      expectClose(got, [handKL(teacher[0]!, student[0]!, T), handKL(teacher[1]!, student[1]!, T)], {
        atol: 1e-5,
        rtol: 1e-4,
      });
    }
  });

  it('scales by T²: T² times the plain KL of the softened distributions', () => {
    const T = 4;
    const plain = new KLDivergence().call(
      softTargets(tensor(teacher), T, 'softmax'),
      softTargets(tensor(student), T, 'softmax'),
    );
    const kd = softTargetKL(tensor(teacher), tensor(student), T, 'softmax');
    expectClose(
      kd,
      Array.from(plain.data, (v) => v * T * T),
      { rtol: 1e-4, atol: 1e-6 },
    );
  });

  it('has the gradient T · (q_T − p_T) with respect to the student logits, and none to the teacher', () => {
    const T = 3;
    const s = tensor(student);
    s.requiresGrad = true;
    const t = tensor(teacher);
    t.requiresGrad = true;
    const [gs, gt] = grad(sum(softTargetKL(t, s, T, 'softmax')), [s, t]);
    const p = softTargets(t, T, 'softmax').data;
    const q = softTargets(s, T, 'softmax').data;
    expectClose(
      gs!,
      Array.from(q, (qi, i) => T * (qi - p[i]!)),
      { atol: 1e-5 },
    );
    assert.ok(!gt || gt.data.every((v) => v === 0), 'no gradient reaches the teacher');
  });

  it('passes the finite-difference gradient check for softmax, sigmoid and per-token outputs', () => {
    const t2 = rand([3, 5], 1, -3, 3);
    expectGradOk((s) => mean(softTargetKL(t2, s, 2.5, 'softmax')), [rand([3, 5], 2, -3, 3)]);
    expectGradOk((s) => mean(softTargetKL(t2, s, 2, 'sigmoid')), [rand([3, 5], 3, -3, 3)]);
    const t3 = rand([2, 4, 6], 4, -2, 2);
    expectGradOk((s) => mean(softTargetKL(t3, s, 4, 'softmax')), [rand([2, 4, 6], 5, -2, 2)]);
  });

  it('is the binary KL per unit for sigmoid outputs, per token for sequences', () => {
    const T = 2;
    const bt = [[1.5], [-2]];
    const bs = [[0.5], [1]];
    const hand = bt.map((row, i) => {
      const p = 1 / (1 + Math.exp(-row[0]! / T));
      const q = 1 / (1 + Math.exp(-bs[i]![0]! / T));
      return T * T * (p * Math.log(p / q) + (1 - p) * Math.log((1 - p) / (1 - q)));
    });
    expectClose(softTargetKL(tensor(bt), tensor(bs), T, 'sigmoid'), hand, {
      rtol: 1e-4,
      atol: 1e-6,
    });
    const seq = softTargetKL(rand([2, 3, 4], 6), rand([2, 3, 4], 7), 2, 'softmax');
    assert.deepEqual(seq.shape, [2, 3]);
  });

  it('is 0 when the student equals the teacher, and rejects bad shapes and temperatures', () => {
    expectClose(softTargetKL(tensor(teacher), tensor(teacher), 3, 'softmax'), [0, 0], {
      atol: 1e-6,
    });
    assert.throws(
      () => softTargetKL(tensor(teacher), rand([2, 4]), 2, 'softmax'),
      /teacher logits \[2, 3\] and student logits \[2, 4\] differ in shape/,
    );
    assert.throws(
      () => softTargetKL(tensor(teacher), tensor(student), 0, 'softmax'),
      /temperature/,
    );
  });
});

describe('outputLogits', () => {
  it('recovers the logits behind softmax and sigmoid probabilities', () => {
    const z = tensor(student);
    expectClose(outputLogits(softmax(z), 'softmax', true), z);
    // Probabilities without a remembered softmax: log p, the logits up to a constant per row.
    const p = tensor(softmax(z).array() as number[][]);
    expectClose(softmax(outputLogits(p, 'softmax', true)), p, { atol: 1e-6 });
    expectClose(outputLogits(sigmoid(z), 'sigmoid', true), z, { atol: 1e-4 });
    assert.equal(outputLogits(z, 'softmax', false), z);
  });
});

describe('KLDivergence', () => {
  it("matches Keras's example and resolves by name", () => {
    // keras.losses.KLDivergence docs: y_true [[0, 1], [0, 0]], y_pred [[0.6, 0.4], [0.4, 0.6]] -> 0.458
    const loss = getLoss('kl_divergence');
    assert.ok(loss instanceof KLDivergence);
    expectClose(
      loss.compute(
        tensor([
          [0, 1],
          [0, 0],
        ]),
        tensor([
          [0.6, 0.4],
          [0.4, 0.6],
        ]),
      ),
      [0.458],
      {
        atol: 1e-3,
      },
    );
    assert.ok(getLoss('kld') instanceof KLDivergence);
  });
});
