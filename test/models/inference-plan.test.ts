import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { noGrad } from '../../src/autograd/tape.js';
import { getBackend, setBackend } from '../../src/backends/index.js';
import { inferencePlanFor, markTraceableModelCall } from '../../src/models/inference-plan.js';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import type { CallArgs, LayerInput } from '../../src/nn/engine/layer.js';
import {
  Activation,
  Add,
  BatchNormalization,
  Concatenate,
  Conv2D,
  Dense,
  Dropout,
  Embedding,
  Flatten,
  GlobalAveragePooling1D,
  Input,
  LayerNormalization,
  MaxPooling2D,
} from '../../src/nn/layers/index.js';
import { add } from '../../src/ops/add.js';
import { Rng, setSeed } from '../../src/random/rng.js';
import { randomNormal, randomUniform } from '../../src/random/tensors.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';

/** The seed CNN of the examples and benchmarks. */
function seedCnn(): Sequential {
  const model = new Sequential();
  model.add(new Conv2D(32, [3, 3], { activation: 'relu', inputShape: [28, 28, 1] }));
  model.add(new MaxPooling2D([2, 2]));
  model.add(new Flatten());
  model.add(new Dropout(0.5));
  model.add(new Dense(10, { activation: 'softmax' }));
  return model;
}

/** model.apply with training = false: the layer-by-layer result a plan must reproduce. */
function applied(model: Model, x: Tensor | Tensor[]): Tensor[] {
  const out = noGrad(() => model.apply(x, { training: false }));
  return Array.isArray(out) ? out : [out];
}

function bitsEqual(a: Tensor, b: Tensor): void {
  assert.deepEqual(a.shape, b.shape);
  assert.deepEqual(Array.from(a.data), Array.from(b.data));
}

function images(n: number): Tensor {
  return randomNormal([n, 28, 28, 1]);
}

describe('inference plans (predict traces a model once and replays its kernels)', () => {
  it('the seed CNN: a plan of kernel calls whose outputs equal model.apply, bit for bit', () => {
    setSeed(1);
    const model = seedCnn();
    const plan = inferencePlanFor(model, [images(1)]);
    assert.ok(plan, 'the seed CNN is planned');
    assert.ok(plan.kernelCalls >= 3 && plan.kernelCalls <= 6, `kernel calls ${plan.kernelCalls}`);
    // New inputs every call: the replay must not keep anything of the previous request.
    for (let i = 0; i < 4; i++) {
      const x = images(1);
      bitsEqual(model.predict(x) as Tensor, applied(model, x)[0]!);
    }
    const x7 = images(7);
    bitsEqual(model.predict(x7) as Tensor, applied(model, x7)[0]!);
  });

  it('predict over several batches uses one plan per batch shape and matches model.apply', () => {
    setSeed(2);
    const model = seedCnn();
    const x = images(70);
    const y = model.predict(x, { batchSize: 32 }) as Tensor;
    // Batches of 32 may round differently from one batch of 70 (GEMM blocking), hence a tolerance.
    expectClose(y, applied(model, x)[0]!, { atol: 1e-6 });
    assert.ok(inferencePlanFor(model, [images(32)]));
    assert.ok(inferencePlanFor(model, [images(6)]));
  });

  it('sees weights updated by training and setWeights', () => {
    setSeed(3);
    const model = seedCnn();
    model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' });
    const x = images(2);
    const before = model.predict(x) as Tensor;
    model.trainOnBatch(
      images(8),
      tensor(Array.from({ length: 8 }, (_, i) => [...Array(10)].map((_, j) => (i === j ? 1 : 0)))),
    );
    const trained = model.predict(x) as Tensor;
    bitsEqual(trained, applied(model, x)[0]!);
    assert.notDeepEqual(Array.from(trained.data), Array.from(before.data));
    model.setWeights(
      model.getWeights().map((w) => tensor(new Float32Array(w.size).fill(0.01), [...w.shape])),
    );
    const reset = model.predict(x) as Tensor;
    bitsEqual(reset, applied(model, x)[0]!);
    expectClose(reset, [new Array(10).fill(0.1), new Array(10).fill(0.1)], { atol: 1e-6 });
  });

  it('returns fresh tensors that never alias the plan, the input or each other', () => {
    setSeed(4);
    const model = new Sequential([new Flatten({ inputShape: [2, 3] }), new Dropout(0.2)]);
    const x = randomNormal([1, 2, 3]);
    const a = model.predict(x) as Tensor;
    assert.ok(inferencePlanFor(model, [x]));
    const b = model.predict(x) as Tensor;
    assert.notEqual(a.data.buffer, b.data.buffer);
    assert.notEqual(a.data.buffer, x.data.buffer);
    (a.data as Float32Array).fill(7);
    bitsEqual(model.predict(x) as Tensor, applied(model, x)[0]!.clone());
    assert.deepEqual(Array.from(b.data), Array.from(x.data));
  });

  it('plans functional models with several outputs, merges and norms', () => {
    setSeed(5);
    const input = Input({ shape: [6] });
    const h = new Dense(8, { activation: 'gelu' }).apply(input) as never;
    const n = new LayerNormalization().apply(h) as never;
    const b = new BatchNormalization().apply(n) as never;
    const s = new Add().apply([b, h]) as never;
    const c = new Concatenate().apply([s, n]) as never;
    const out1 = new Dense(3).apply(c) as never;
    const out2 = new Activation('tanh').apply(s) as never;
    const model = new Model({ inputs: input, outputs: [out1, out2] });
    const x = randomNormal([5, 6]);
    const ys = model.predict(x) as Tensor[];
    assert.ok(inferencePlanFor(model, [x]));
    const again = model.predict(randomNormal([5, 6])) as Tensor[];
    const x2 = randomNormal([5, 6]);
    const planned = model.predict(x2) as Tensor[];
    const reference = applied(model, x2);
    assert.equal(ys.length, 2);
    assert.equal(again.length, 2);
    for (const [i, p] of planned.entries()) bitsEqual(p, reference[i]!);
  });

  it('leaves models with data-dependent or unknown layers to the layer-by-layer path', () => {
    setSeed(6);
    const embed = new Sequential([
      new Embedding(10, 4, { inputLength: 3 }),
      new GlobalAveragePooling1D(),
      new Dense(2),
    ]);
    const ids = tensor([[1, 2, 3]], [1, 3], 'int32');
    assert.equal(inferencePlanFor(embed, [ids]), null);
    bitsEqual(embed.predict(ids) as Tensor, applied(embed, ids)[0]!);
    // A subclass that overrides call is not the layer that was vetted.
    class Shifted extends Dense {
      override call(inputs: LayerInput, args: CallArgs): Tensor {
        return add(super.call(inputs, args), tensor(1));
      }
    }
    const shifted = new Sequential([new Shifted(2, { inputShape: [3] })]);
    const x = randomNormal([1, 3]);
    assert.equal(inferencePlanFor(shifted, [x]), null);
    bitsEqual(shifted.predict(x) as Tensor, applied(shifted, x)[0]!);
  });

  it('refuses a trace whose kernels read values computed in JavaScript during the call', () => {
    setSeed(7);
    /** Doubles its graph's output in JavaScript: replaying its kernels alone would be wrong. */
    class Doubling extends Model {
      override call(inputs: LayerInput, args: CallArgs): LayerInput {
        const y = super.call(inputs, args) as Tensor;
        const twice = tensor(
          Float32Array.from(y.data as Float32Array, (v) => 2 * v),
          [...y.shape],
        );
        return add(twice, y);
      }
    }
    markTraceableModelCall(Doubling.prototype.call);
    const input = Input({ shape: [3] });
    const model = new Doubling({ inputs: input, outputs: new Dense(2).apply(input) as never });
    for (let i = 0; i < 3; i++) {
      const x = randomNormal([1, 3]);
      bitsEqual(model.predict(x) as Tensor, applied(model, x)[0]!);
    }
    assert.equal(inferencePlanFor(model, [randomNormal([1, 3])]), null);
  });

  it('follows the model when layers are added and when the backend changes', () => {
    setSeed(8);
    const model = new Sequential([new Dense(4, { inputShape: [3], activation: 'relu' })]);
    const x = randomNormal([2, 3]);
    assert.deepEqual((model.predict(x) as Tensor).shape, [2, 4]);
    model.add(new Dense(2));
    const y = model.predict(x) as Tensor;
    assert.deepEqual(y.shape, [2, 2]);
    bitsEqual(y, applied(model, x)[0]!);
    const previous = getBackend();
    setBackend('ts');
    try {
      bitsEqual(model.predict(x) as Tensor, applied(model, x)[0]!);
    } finally {
      setBackend(previous);
    }
    bitsEqual(model.predict(x) as Tensor, applied(model, x)[0]!);
  });

  it('rejects inputs of the wrong shape with the usual error', () => {
    const model = seedCnn();
    model.predict(images(1));
    assert.throws(
      () => model.predict(randomNormal([1, 28, 27, 1])),
      /expects shape \(None, 28, 28, 1\), got \[1, 28, 27, 1\]/,
    );
  });
});

describe('KEEL_INFERENCE_PLANS=0', () => {
  it('turns plans off for models first run under it; predictions stay bit-identical', () => {
    const make = () => {
      setSeed(12);
      return new Sequential([
        new Dense(7, { activation: 'relu', inputShape: [5] }),
        new Dropout(0.5),
        new Dense(3, { activation: 'softmax' }),
      ]);
    };
    const x = randomUniform([9, 5], -1, 1, { rng: new Rng(3) });
    const planned = make();
    const withPlan = planned.predict(x) as Tensor;
    assert.ok(inferencePlanFor(planned, [x]), 'plans are on by default');
    const previous = process.env['KEEL_INFERENCE_PLANS'];
    process.env['KEEL_INFERENCE_PLANS'] = '0';
    try {
      const plain = make();
      const without = plain.predict(x) as Tensor;
      assert.equal(inferencePlanFor(plain, [x]), null);
      assert.deepEqual(Array.from(without.data), Array.from(withPlan.data));
    } finally {
      if (previous === undefined) delete process.env['KEEL_INFERENCE_PLANS'];
      else process.env['KEEL_INFERENCE_PLANS'] = previous;
    }
  });
});
