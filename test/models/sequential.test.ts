import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Sequential } from '../../src/models/sequential.js';
import type { Layer } from '../../src/nn/engine/layer.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { InputLayer } from '../../src/nn/layers/input-layer.js';
import { relu } from '../../src/ops/relu.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, rand } from '../helpers.js';

function manual(x: Tensor, layers: Dense[], activations: ((t: Tensor) => Tensor)[]): number[][] {
  let rows = x.array() as number[][];
  layers.forEach((layer, i) => {
    const [w, b] = layer.getWeights().map((t) => t.array()) as [number[][], number[]];
    rows = rows.map((r) => b.map((bj, j) => bj + r.reduce((s, v, k) => s + v * w[k]![j]!, 0)));
    rows = activations[i]!(tensor(rows)).array() as number[][];
  });
  return rows;
}

const identity = (t: Tensor) => t;

describe('Sequential', () => {
  it('builds eagerly when the first layer has an input shape', () => {
    const d1 = new Dense(4, { inputShape: [3], activation: 'relu' });
    const d2 = new Dense(2);
    const model = new Sequential([d1, d2]);
    assert.ok(model.built);
    assert.deepEqual(model.layers, [d1, d2]);
    assert.deepEqual(model.outputs[0]!.shape, [null, 2]);
    assert.deepEqual(model.inputs[0]!.shape, [null, 3]);
    assert.equal(model.countParams(), 3 * 4 + 4 + 4 * 2 + 2);
    const x = rand([5, 3], 1);
    expectClose(model.predict(x) as Tensor, manual(x, [d1, d2], [relu, identity]), { atol: 1e-5 });
    expectClose(model.apply(x), manual(x, [d1, d2], [relu, identity]), { atol: 1e-5 });
  });

  it('builds on first call when no input shape is known, and add/pop keep it consistent', () => {
    const model = new Sequential();
    const d1 = new Dense(3);
    model.add(d1);
    assert.equal(model.built, false);
    assert.equal(model.graph, null);
    const x = rand([4, 5], 2);
    const y = model.apply(x);
    assert.deepEqual(y.shape, [4, 3]);
    assert.ok(model.built);
    assert.deepEqual(model.inputs[0]!.shape, [null, 5]);
    const d2 = new Dense(1);
    model.add(d2);
    assert.deepEqual(model.outputs[0]!.shape, [null, 1]);
    expectClose(model.apply(x), manual(x, [d1, d2], [identity, identity]), { atol: 1e-5 });
    assert.equal(model.pop(), d2);
    assert.deepEqual(model.layers, [d1]);
    assert.deepEqual(model.outputs[0]!.shape, [null, 3]);
    expectClose(model.apply(x), manual(x, [d1], [identity]), { atol: 1e-5 });
  });

  it('accepts an InputLayer first and rejects it later', () => {
    const model = new Sequential([new InputLayer({ inputShape: [2] }), new Dense(3)]);
    assert.equal(model.layers.length, 1);
    assert.deepEqual(model.outputs[0]!.shape, [null, 3]);
    assert.throws(
      () => model.add(new InputLayer({ inputShape: [2] })),
      /InputLayer can only come first/,
    );
  });

  it('rejects a non-layer and leaves the stack unchanged when a layer does not fit', () => {
    const model = new Sequential([new Dense(2, { inputShape: [3] })], { name: 'stack' });
    assert.equal(model.name, 'stack');
    assert.throws(() => model.add({} as Layer), /Sequential 'stack': add\(\) expects a Layer/);
    const d = new Dense(2);
    d.ensureBuilt([null, 7]);
    assert.throws(() => model.add(d), /expected input \(None, 7\), got \(None, 2\)/);
    assert.equal(model.layers.length, 1);
    assert.throws(() => new Sequential().pop(), /pop\(\) on a model with no layers/);
    assert.throws(() => new Sequential().apply(rand([1, 2])), /the model has no layers/);
  });

  it('rejects inputs of the wrong shape, naming the model', () => {
    const model = new Sequential([new Dense(2, { inputShape: [3] })], { name: 'seq' });
    assert.throws(
      () => model.predict(rand([4, 5])),
      /Model 'seq': input 0 .* expects shape \(None, 3\), got \[4, 5\]/,
    );
  });

  it('round-trips through getConfig/fromConfig, with and without an input shape', () => {
    const model = new Sequential([
      new Dense(3, { inputShape: [2], activation: 'relu' }),
      new Dense(1),
    ]);
    const copy = Sequential.fromConfig(JSON.parse(JSON.stringify(model.getConfig())));
    copy.setWeights(model.getWeights());
    const x = rand([3, 2], 4);
    expectClose(copy.apply(x), model.apply(x));
    const lazy = new Sequential([new Dense(2)]);
    lazy.apply(x);
    const lazyCopy = Sequential.fromConfig(lazy.getConfig());
    assert.deepEqual(lazyCopy.inputs[0]!.shape, [null, 2]);
  });
});
