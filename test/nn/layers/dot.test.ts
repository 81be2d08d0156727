import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Dot } from '../../../src/nn/layers/dot.js';
import { deserializeLayer, serializeLayer } from '../../../src/nn/layers/registry.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectGradOk, rand } from '../../helpers.js';

/** out[b, i, j] = Σ_c a[b, .., c, ..] · b[b, .., c, ..] with the axes as Keras's batch_dot. */
function reference(a: Tensor, b: Tensor, ax: number, bx: number): number[] {
  const [B, a1, a2] = a.shape as [number, number, number];
  const [, b1, b2] = b.shape as [number, number, number];
  const m = ax === 2 ? a1 : a2;
  const n = bx === 2 ? b1 : b2;
  const c = ax === 2 ? a2 : a1;
  const out: number[] = [];
  for (let s = 0; s < B; s++)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let k = 0; k < c; k++) {
          const av =
            ax === 2 ? a.data[s * a1 * a2 + i * a2 + k]! : a.data[s * a1 * a2 + k * a2 + i]!;
          const bv =
            bx === 2 ? b.data[s * b1 * b2 + j * b2 + k]! : b.data[s * b1 * b2 + k * b2 + j]!;
          acc += av * bv;
        }
        out.push(acc);
      }
  return out;
}

describe('Dot', () => {
  for (const [ax, bx] of [
    [2, 2],
    [2, 1],
    [1, 1],
    [1, 2],
  ] as const) {
    it(`contracts axes [${ax}, ${bx}] of rank-3 inputs as Keras's batch_dot`, () => {
      const a = rand(ax === 2 ? [2, 3, 4] : [2, 4, 3], 1);
      const b = rand(bx === 2 ? [2, 5, 4] : [2, 4, 5], 2);
      const layer = new Dot({ axes: [ax, bx] });
      const y = layer.apply([a, b]) as Tensor;
      assert.deepEqual(y.shape, [2, 3, 5]);
      assert.deepEqual(layer.computeOutputShape([a.shape, b.shape]), [2, 3, 5]);
      const want = reference(a, b, ax, bx);
      want.forEach((v, i) => {
        assert.ok(Math.abs(v - y.data[i]!) < 1e-5);
      });
    });
  }

  it('gives [B, 1] for rank 2 and cosine similarity with normalize', () => {
    const a = rand([3, 4], 3);
    const y = new Dot({ axes: 1, normalize: true }).apply([a, a]) as Tensor;
    assert.deepEqual(y.shape, [3, 1]);
    for (const v of y.data) assert.ok(Math.abs(v - 1) < 1e-5);
  });

  it('round-trips its config and has a gradient', () => {
    const layer = deserializeLayer(serializeLayer(new Dot({ axes: [-1, 1], normalize: false })));
    assert.deepEqual((layer as Dot).axes, [-1, 1]);
    expectGradOk((a, b) => layer.apply([a, b]) as Tensor, [rand([2, 3, 4], 4), rand([2, 4, 2], 5)]);
  });

  it('rejects bad axes, ranks and sizes with the shapes in the message', () => {
    assert.throws(() => new Dot({ axes: 1.5 }), /Dot: axes must be an integer/);
    assert.throws(() => new Dot({ axes: 0 }).apply([rand([2, 3]), rand([2, 3])]), /non-batch/);
    assert.throws(
      () => new Dot({ axes: [2, 2] }).apply([rand([2, 3, 4]), rand([2, 3, 5])]),
      /sizes along the axes differ \(4 vs 5\); got \(2, 3, 4\), \(2, 3, 5\)/,
    );
    assert.throws(() => new Dot({ axes: 1 }).apply([rand([2, 3]), rand([2, 3, 1])]), /rank/);
  });
});
