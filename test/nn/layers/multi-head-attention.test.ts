import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Model } from '../../../src/models/model.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { MultiHeadAttention } from '../../../src/nn/layers/multi-head-attention.js';
import {
  add,
  concat,
  dense,
  matMul,
  mul,
  reshape,
  slice,
  softmax,
} from '../../../src/ops/index.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

/** Keras's MHA written out head by head from the raw weights. */
function reference(layer: MultiHeadAttention, q: Tensor, v: Tensor, k: Tensor): Tensor {
  const [wq, bq, wk, bk, wv, bv, wo, bo] = layer.weights;
  const H = layer.numHeads;
  const heads: Tensor[] = [];
  for (let h = 0; h < H; h++) {
    const pick = (w: Tensor, b: Tensor, x: Tensor) => {
      const kernel = reshape(slice(w, [0, h, 0], [-1, 1, -1]), [w.shape[0]!, w.shape[2]!]);
      return add(matMul(x, kernel), reshape(slice(b, [h, 0], [1, -1]), [b.shape[1]!]));
    };
    const qh = pick(wq!, bq!, q);
    const kh = pick(wk!, bk!, k);
    const vh = pick(wv!, bv!, v);
    const w = softmax(mul(matMul(qh, kh, false, true), 1 / Math.sqrt(layer.keyDim)), -1);
    heads.push(matMul(w, vh));
  }
  const merged = concat(heads, -1);
  return dense(merged, reshape(wo!, [H * layer.valueDim, wo!.shape[2]!]), bo!);
}

describe('MultiHeadAttention', () => {
  it('passes the shared layer checks (self-attention on one tensor)', () => {
    runLayerTest({
      layer: () => new MultiHeadAttention(2, 3),
      inputShape: [2, 4, 5],
      expectedOutputShape: [2, 4, 5],
      expectedNumWeights: 8,
      expectedNumTrainableWeights: 8,
      expectedWeightShapes: [
        [5, 2, 3],
        [2, 3],
        [5, 2, 3],
        [2, 3],
        [5, 2, 3],
        [2, 3],
        [2, 3, 5],
        [5],
      ],
    });
  });

  it('matches a head-by-head reference with query, key and value of different lengths and widths', () => {
    const layer = new MultiHeadAttention(3, 4, {
      valueDim: 2,
      outputShape: 6,
      biasInitializer: 'randomNormal',
    });
    const q = rand([2, 3, 5], 1);
    const v = rand([2, 7, 8], 2);
    const k = rand([2, 7, 9], 3);
    const out = layer.apply([q, v, k]) as Tensor;
    assert.deepEqual(out.shape, [2, 3, 6]);
    assert.deepEqual(
      layer.weights.map((w) => [...w.shape]),
      [[5, 3, 4], [3, 4], [9, 3, 4], [3, 4], [8, 3, 2], [3, 2], [3, 2, 6], [6]],
    );
    for (let b = 0; b < 2; b++) {
      const one = (t: Tensor) => reshape(slice(t, [b, 0, 0], [1, -1, -1]), t.shape.slice(1));
      expectClose(one(out), reference(layer, one(q), one(v), one(k)), { atol: 1e-5 });
    }
  });

  it('returns [output, scores] and honours attention and causal masks', () => {
    const layer = new MultiHeadAttention(2, 4);
    const x = rand([1, 4, 6], 4);
    const mask = tensor([
      [
        [1, 0, 0, 1],
        [1, 1, 0, 0],
        [0, 0, 1, 0],
        [1, 1, 1, 1],
      ],
    ]);
    const [out, scores] = layer.apply([x, x], {
      attentionMask: mask,
      returnAttentionScores: true,
    }) as Tensor[];
    assert.deepEqual(out!.shape, [1, 4, 6]);
    assert.deepEqual(scores!.shape, [1, 2, 4, 4]);
    const s = scores!.array() as number[][][][];
    const m = mask.array() as number[][][];
    for (let h = 0; h < 2; h++)
      for (let i = 0; i < 4; i++)
        for (let j = 0; j < 4; j++) if (m[0]![i]![j] === 0) assert.equal(s[0]![h]![i]![j], 0);
    const [, causal] = layer.apply([x, x], {
      useCausalMask: true,
      returnAttentionScores: true,
    }) as Tensor[];
    const c = causal!.array() as number[][][][];
    for (let i = 0; i < 4; i++) for (let j = i + 1; j < 4; j++) assert.equal(c[0]![1]![i]![j], 0);
  });

  it('works in the functional API, with returnAttentionScores giving two outputs', () => {
    const q = Input({ shape: [3, 4] });
    const v = Input({ shape: [5, 6] });
    const layer = new MultiHeadAttention(2, 2);
    const [out, scores] = layer.apply([q, v], { returnAttentionScores: true }) as ReturnType<
      typeof Input
    >[];
    assert.deepEqual(out!.shape, [null, 3, 4]);
    assert.deepEqual(scores!.shape, [null, 2, 3, 5]);
    const model = new Model({ inputs: [q, v], outputs: [out!, scores!] });
    const [y, s] = model.predict([rand([2, 3, 4], 1), rand([2, 5, 6], 2)]) as Tensor[];
    assert.deepEqual(y!.shape, [2, 3, 4]);
    assert.deepEqual(s!.shape, [2, 2, 3, 5]);
  });

  it('gives the same outputs step by step with a key/value cache as on the whole sequence', () => {
    for (const useRotaryEmbedding of [false, true]) {
      const layer = new MultiHeadAttention(2, 4, { useRotaryEmbedding });
      const x = rand([2, 5, 6], 5);
      const full = layer.apply([x, x], { useCausalMask: true }) as Tensor;
      let cache = null;
      const steps: Tensor[] = [];
      for (let t = 0; t < 5; t++) {
        const r = layer.callWithCache(slice(x, [0, t, 0], [-1, 1, -1]), cache, {
          useCausalMask: true,
        });
        cache = r.cache;
        steps.push(r.output);
      }
      expectClose(concat(steps, 1), full, { atol: 1e-5 });
      assert.deepEqual(cache!.key.shape, [2, 2, 5, 4]);
    }
  });

  it('has correct gradients without and with masks', () => {
    const x = rand([2, 3, 4], 6);
    expectLayerGradOk(new MultiHeadAttention(2, 3), x, { maxElements: 20 });
    expectLayerGradOk(new MultiHeadAttention(2, 3), x, {
      maxElements: 20,
      callArgs: { useCausalMask: true },
    });
    const mask = tensor([
      [
        [1, 0, 1],
        [1, 1, 0],
        [0, 1, 1],
      ],
    ]);
    expectLayerGradOk(new MultiHeadAttention(2, 4, { useRotaryEmbedding: true }), x, {
      maxElements: 20,
      callArgs: { attentionMask: mask },
    });
  });

  it('rejects bad arguments, masks and caches with clear errors', () => {
    assert.throws(
      () => new MultiHeadAttention(0, 4),
      /MultiHeadAttention: numHeads must be a positive integer/,
    );
    assert.throws(() => new MultiHeadAttention(2, 3, { useRotaryEmbedding: true }), /even keyDim/);
    const layer = new MultiHeadAttention(2, 4);
    const x = rand([2, 3, 6], 7);
    assert.throws(
      () => layer.apply([x, x], { attentionMask: tensor([[1, 1, 1]]) }),
      /attentionMask must have shape \[2, 3, 3\].*got \[1, 3\]/,
    );
    assert.throws(
      () => layer.apply([x, rand([2, 4, 6]), rand([2, 5, 6])]),
      /key and value must have the same number of steps/,
    );
    assert.throws(() => layer.apply(rand([2, 3, 7])), /query must have 6 features/);
    const bad = { key: rand([2, 2, 3, 5]), value: rand([2, 2, 3, 4]) };
    assert.throws(() => layer.callWithCache(x, bad), /cache must hold key \[2, 2, steps, 4\]/);
  });
});
