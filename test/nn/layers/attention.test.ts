import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel } from '../../../src/io/keel-format/model-file.js';
import { Model } from '../../../src/models/model.js';
import { type CallArgs, Layer, type LayerInput } from '../../../src/nn/engine/layer.js';
import type { SymbolicTensor } from '../../../src/nn/engine/symbolic-tensor.js';
import { AdditiveAttention } from '../../../src/nn/layers/additive-attention.js';
import { Attention } from '../../../src/nn/layers/attention.js';
import type { BaseAttention } from '../../../src/nn/layers/base-attention.js';
import { Embedding } from '../../../src/nn/layers/embedding.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { deserializeLayer, serializeLayer } from '../../../src/nn/layers/registry.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';
import '../../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-attention-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Fixture {
  query: { shape: number[]; data: number[] };
  value: { shape: number[]; data: number[] };
  key: { shape: number[]; data: number[] };
  queryMask: boolean[][];
  valueMask: boolean[][];
  cases: {
    layer: string;
    config: Record<string, unknown>;
    causal: boolean;
    weights: number[][];
    output: number[];
    scores: number[];
  }[];
}
const fx = JSON.parse(
  readFileSync(new URL('./fixtures/attention.json', import.meta.url), 'utf8'),
) as Fixture;
const q = tensor(fx.query.data, fx.query.shape);
const v = tensor(fx.value.data, fx.value.shape);
const k = tensor(fx.key.data, fx.key.shape);
const qMask = tensor(fx.queryMask.flat(), [2, 3], 'bool');
const vMask = tensor(fx.valueMask.flat(), [2, 4], 'bool');

const make = (name: string, config: Record<string, unknown>): BaseAttention =>
  deserializeLayer({ className: name, config }) as BaseAttention;

/** Self-attention around a layer, so the shared harness checks its weights' gradients too. */
class SelfAttend extends Layer {
  static override className = 'SelfAttendForTest';
  constructor(readonly inner: BaseAttention) {
    super();
  }
  override get sublayers(): Layer[] {
    return [this.inner];
  }
  override call(x: LayerInput, args: CallArgs): Tensor {
    const t = x as Tensor;
    return this.inner.apply([t, rand([2, 4, 3], 30), t], args) as Tensor;
  }
}

describe('Attention and AdditiveAttention', () => {
  it('match the PyTorch reference (masks, causal, useScale, concat, returnAttentionScores)', () => {
    for (const c of fx.cases) {
      const layer = make(c.layer, c.config);
      layer.apply([q, v, k]);
      layer.setWeights(c.weights.map((w, i) => tensor(w, [...layer.weights[i]!.shape])));
      const [out, scores] = layer.apply([q, v, k], {
        queryMask: qMask,
        valueMask: vMask,
        useCausalMask: c.causal,
        returnAttentionScores: true,
      }) as unknown as Tensor[];
      expectClose(out!, tensor(c.output, [2, 3, 2]), { atol: 1e-5 });
      expectClose(scores!, tensor(c.scores, [2, 3, 4]), { atol: 1e-5 });
    }
  });

  it("default to Keras's arguments and round-trip their configs", () => {
    const a = new Attention();
    assert.equal(a.useScale, false);
    assert.equal(a.scoreMode, 'dot');
    assert.equal(new AdditiveAttention().useScale, true);
    for (const layer of [
      new Attention({ useScale: true, scoreMode: 'concat', dropout: 0.1, seed: 2 }),
      new AdditiveAttention({ useScale: false }),
    ]) {
      const clone = deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(layer))));
      assert.equal(clone.constructor, layer.constructor);
      assert.deepEqual(clone.getConfig(), layer.getConfig());
    }
    // Without a key, the value is the key; without masks every key counts.
    const s = new Attention();
    const qs = rand([2, 3, 4], 1);
    const vs = rand([2, 5, 4], 2);
    expectClose(s.apply([qs, vs]) as Tensor, s.apply([qs, vs, vs]) as Tensor);
  });

  it('pass the shared layer checks with [query, value] and [query, value, key]', () => {
    const cases: [string, Record<string, unknown>, number][] = [
      ['Attention', {}, 0],
      ['Attention', { useScale: true }, 1],
      ['Attention', { scoreMode: 'concat', useScale: true }, 2],
      ['AdditiveAttention', {}, 1],
      ['AdditiveAttention', { useScale: false }, 0],
    ];
    for (const [name, config, n] of cases) {
      for (const shapes of [
        [
          [2, 3, 4],
          [2, 5, 4],
        ],
        [
          [2, 3, 4],
          [2, 5, 6],
          [2, 5, 4],
        ],
      ]) {
        runLayerTest({
          layer: () => make(name, config),
          inputShape: shapes,
          expectedOutputShape: [2, 3, shapes[1]![2]!],
          expectedNumWeights: n,
          expectedNumTrainableWeights: n,
          noneAxes: [1],
        });
      }
    }
  });

  it('have finite-difference gradients for query, value, key and the weights', () => {
    const configs: [string, Record<string, unknown>][] = [
      ['Attention', { useScale: true }],
      ['Attention', { scoreMode: 'concat', useScale: true }],
      ['AdditiveAttention', {}],
    ];
    for (const [name, config] of configs) {
      const layer = make(name, config);
      const args = { mask: [qMask, vMask] as never, useCausalMask: true };
      expectGradOk(
        (a, b, c) => layer.apply([a, b, c], args) as Tensor,
        [rand([2, 3, 5], 3), rand([2, 4, 2], 4), rand([2, 4, 5], 5)],
      );
      expectLayerGradOk(new SelfAttend(make(name, config)), rand([2, 4, 3], 6));
    }
  });

  it('use dropout only in training', () => {
    const layer = new Attention({ dropout: 0.5, seed: 1 });
    const args = [rand([2, 3, 4], 1), rand([2, 5, 4], 2)];
    const inference = layer.apply(args) as Tensor;
    const trained = layer.apply(args, { training: true }) as Tensor;
    assert.ok(trained.data.some((x, i) => Math.abs(x - inference.data[i]!) > 1e-4));
  });

  it("take the inputs' masks in a functional model, return scores, save and load", () => {
    const qi = Input({ shape: [3] });
    const vi = Input({ shape: [4] });
    const eq = new Embedding(7, 5, { maskZero: true }).apply(qi) as SymbolicTensor;
    const ev = new Embedding(7, 5, { maskZero: true }).apply(vi) as SymbolicTensor;
    const att = new AdditiveAttention();
    const [out, scores] = att.apply([eq, ev], { returnAttentionScores: true }) as SymbolicTensor[];
    assert.deepEqual(out!.shape, [null, 3, 5]);
    assert.deepEqual(scores!.shape, [null, 3, 4]);
    const model = new Model({ inputs: [qi, vi], outputs: [out!, scores!] });
    const ids = [
      tensor([
        [1, 2, 0],
        [3, 0, 0],
      ]),
      tensor([
        [4, 0, 5, 6],
        [1, 2, 3, 0],
      ]),
    ];
    const [y, w] = model.predict(ids) as Tensor[];
    // The masks of the two embeddings reach the layer: padded keys get no weight, padded
    // queries output 0.
    assert.equal(w!.data[1], 0);
    assert.ok(y!.data.slice(2 * 5, 3 * 5).every((x) => x === 0));
    assert.ok(y!.data.slice(0, 5).some((x) => x !== 0));
    const file = join(dir, 'm.keel');
    model.save(file);
    const [y2, w2] = loadModel(file).predict(ids) as Tensor[];
    expectClose(y2!, y!, { atol: 0 });
    expectClose(w2!, w!, { atol: 0 });
  });

  it('name the layer and the shapes in their errors', () => {
    const layer = new Attention({ name: 'att' });
    assert.throws(
      () => layer.apply([rand([2, 3, 4]), rand([2, 5, 4]), rand([2, 5, 3])]),
      /Attention 'att': expected query \[B, Tq, d\], value \[B, Tv, dv\] and key \[B, Tv, d\], got query \[2, 3, 4\], value \[2, 5, 4\], key \[2, 5, 3\]/,
    );
    assert.throws(() => new Attention().apply(rand([2, 3, 4])), /expects \[query, value\]/);
    assert.throws(
      () =>
        new Attention({ name: 'a2' }).apply([rand([2, 3, 4]), rand([2, 5, 4])], {
          valueMask: tensor([[true]], [1, 1], 'bool'),
        }),
      /Attention 'a2': the value mask must be \[2, 5\], got \[1, 1\]/,
    );
    assert.throws(
      () => new Attention().apply([rand([2, 3, 4]), rand([2, 5, 4])], { mask: vMask }),
      /mask must be \[queryMask, valueMask\]/,
    );
    assert.throws(
      () => new Attention({ scoreMode: 'cosine' as never }),
      /Attention: scoreMode must be 'dot' or 'concat'/,
    );
    assert.throws(
      () => new AdditiveAttention({ dropout: 1 }),
      /AdditiveAttention: dropout must be a number in \[0, 1\)/,
    );
  });
});
