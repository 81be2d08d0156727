import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Model } from '../../src/models/model.js';
import { Sequential } from '../../src/models/sequential.js';
import { type CallArgs, Layer, type LayerInput } from '../../src/nn/engine/layer.js';
import type { SymbolicShape, SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import { Dense } from '../../src/nn/layers/dense.js';
import { Input, InputLayer } from '../../src/nn/layers/input-layer.js';
import { deserializeLayer, serializeLayer } from '../../src/nn/layers/registry.js';
import { add } from '../../src/ops/add.js';
import { mul } from '../../src/ops/mul.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose } from '../helpers.js';

/** A Dense layer with fixed weights, so outputs can be computed by hand. */
function fixedDense(w: number[][], b: number[], name?: string): Dense {
  const d = new Dense(b.length, { name });
  d.ensureBuilt([null, w.length]);
  d.setWeights([tensor(w), tensor(b)]);
  return d;
}

/** x · w + b on plain arrays. */
function affine(x: number[][], w: number[][], b: number[]): number[][] {
  return x.map((row) => b.map((bj, j) => bj + row.reduce((s, v, k) => s + v * w[k]![j]!, 0)));
}

/** Adds its two inputs (a minimal merge layer for the tests). */
class AddPair extends Layer {
  static override className = 'AddPair';
  override call(inputs: LayerInput): Tensor {
    const [a, b] = inputs as Tensor[];
    return add(a!, b!);
  }
  override computeOutputShape(shapes: SymbolicShape | SymbolicShape[]): SymbolicShape {
    return (shapes as SymbolicShape[])[0]!;
  }
}

const W1 = [
  [1, -1],
  [2, 0.5],
  [0, 1],
];
const B1 = [0.5, -0.5];
const W2 = [[2], [-1]];
const B2 = [1];
const X = [
  [1, 2, 3],
  [-1, 0, 4],
];

describe('Input', () => {
  it('makes a symbolic tensor with a free batch axis from an InputLayer', () => {
    const x = Input({ shape: [3], name: 'features' });
    assert.deepEqual(x.shape, [null, 3]);
    assert.equal(x.dtype, 'float32');
    const y = Input({ shape: [null, 4], batchSize: 8, dtype: 'int32' });
    assert.deepEqual(y.shape, [8, null, 4]);
    assert.equal(y.dtype, 'int32');
    const layer = new InputLayer({ inputShape: [2], name: 'pixels' });
    const copy = deserializeLayer(serializeLayer(layer)) as InputLayer;
    assert.ok(copy instanceof InputLayer);
    assert.deepEqual(copy.output.shape, [null, 2]);
    assert.equal(copy.name, 'pixels');
  });

  it('rejects a missing or invalid shape', () => {
    assert.throws(() => Input({}), /Input: give shape/);
    assert.throws(() => Input({ shape: [-1] }), /invalid shape \(None, -1\)/);
  });
});

describe('functional Model', () => {
  it('replays a chain of layers on concrete tensors', () => {
    const x = Input({ shape: [3] });
    const d1 = fixedDense(W1, B1);
    const d2 = fixedDense(W2, B2);
    const model = new Model({ inputs: x, outputs: d2.apply(d1.apply(x)) });
    const want = affine(affine(X, W1, B1), W2, B2);
    expectClose(model.apply(tensor(X)), want);
    expectClose(model.predict(tensor(X)) as Tensor, want);
    assert.equal(model.layers.length, 3);
    assert.ok(model.layers[0] instanceof InputLayer);
    assert.equal(model.getLayer(d2.name), d2);
    assert.equal(model.getLayer(1), d1);
    assert.throws(() => model.getLayer('nope'), /no layer named 'nope'/);
    assert.equal(model.countParams(), 8 + 3);
    assert.equal(model.weights.length, 4);
  });

  it('handles two inputs, two outputs and a shared layer', () => {
    const a = Input({ shape: [3], name: 'in_a' });
    const b = Input({ shape: [3], name: 'in_b' });
    const shared = fixedDense(W1, B1, 'shared');
    const head = fixedDense(W2, B2, 'head');
    const sa = shared.apply(a);
    const sb = shared.apply(b);
    const sum = new AddPair().apply([sa, sb]) as SymbolicTensor;
    const out2 = head.apply(sum);
    const model = new Model({ inputs: [a, b], outputs: [sum, out2] });
    const XB = [
      [0, 1, 0],
      [2, 2, 2],
    ];
    const ha = affine(X, W1, B1);
    const hb = affine(XB, W1, B1);
    const s = ha.map((r, i) => r.map((v, j) => v + hb[i]![j]!));
    const [y1, y2] = model.apply([tensor(X), tensor(XB)]) as Tensor[];
    expectClose(y1!, s);
    expectClose(y2!, affine(s, W2, B2));
    // The shared layer's weights are counted once.
    assert.equal(model.weights.length, 4);
    assert.deepEqual(
      model.layers.map((l) => l.name),
      ['in_a', 'in_b', 'shared', model.layers[3]!.name, 'head'],
    );
    assert.deepEqual(model.outputNames, [model.layers[3]!.name, 'head']);
    const preds = model.predict([tensor(X), tensor(XB)], { batchSize: 1 }) as Tensor[];
    expectClose(preds[1]!, affine(s, W2, B2));
  });

  it('nests a model as a layer, on symbolic and concrete tensors', () => {
    const inner = (() => {
      const x = Input({ shape: [3] });
      return new Model({ inputs: x, outputs: fixedDense(W1, B1).apply(x), name: 'inner' });
    })();
    const x = Input({ shape: [3] });
    const outer = new Model({ inputs: x, outputs: fixedDense(W2, B2).apply(inner.apply(x)) });
    const want = affine(affine(X, W1, B1), W2, B2);
    expectClose(outer.apply(tensor(X)), want);
    assert.equal(outer.getLayer('inner'), inner);
    assert.equal(outer.countParams(), 11);
    // A layer reached both directly and through a nested model has its weights listed once.
    const shared = inner.layers[1]!;
    const z = Input({ shape: [3] });
    const both = new Model({ inputs: z, outputs: [shared.apply(z), inner.apply(z)] });
    assert.equal(both.weights.length, 2);
    assert.equal(both.trainableWeights.length, 2);
    assert.equal(both.countParams(), 8);
    // A nested Sequential works too.
    const seq = new Sequential([fixedDense(W1, B1)]);
    const y = Input({ shape: [3] });
    const m = new Model({ inputs: y, outputs: seq.apply(y) });
    expectClose(m.apply(tensor(X)), affine(X, W1, B1));
  });

  it('passes training to every layer and flows masks from computeMask to the next call', () => {
    const seen: { training: unknown; mask: number[] | null }[] = [];
    class MaskMaker extends Layer {
      static override className = 'MaskMaker';
      override call(inputs: LayerInput): Tensor {
        return inputs as Tensor;
      }
      override computeMask(inputs: LayerInput): Tensor | null {
        return mul(inputs as Tensor, 0.5);
      }
    }
    class Recorder extends Layer {
      static override className = 'Recorder';
      override call(inputs: LayerInput, args: CallArgs): Tensor {
        seen.push({ training: args.training, mask: args.mask ? Array.from(args.mask.data) : null });
        return inputs as Tensor;
      }
    }
    const x = Input({ shape: [2] });
    const model = new Model({ inputs: x, outputs: new Recorder().apply(new MaskMaker().apply(x)) });
    seen.length = 0;
    model.apply(tensor([[3, 4]]), { training: true });
    assert.deepEqual(seen, [{ training: true, mask: [1.5, 2] }]);
  });

  it('names the disconnected tensor when an output does not depend on the inputs', () => {
    const a = Input({ shape: [3], name: 'used' });
    const b = Input({ shape: [3], name: 'stray' });
    const out = fixedDense(W1, B1, 'from_stray').apply(b);
    assert.throws(
      () => new Model({ inputs: a, outputs: out }),
      /output 'from_stray' \(None, 2\) is not connected to the inputs: it depends on 'stray' \(None, 3\)/,
    );
  });

  it('rejects inputs of the wrong count or shape, naming the model and the shapes', () => {
    const a = Input({ shape: [3] });
    const b = Input({ shape: [2] });
    const model = new Model({
      inputs: [a, b],
      outputs: fixedDense(W1, B1).apply(a),
      name: 'two_in',
    });
    assert.throws(
      () => model.apply(tensor(X)),
      /Model 'two_in': expected 2 inputs \[.*\(None, 3\).*\(None, 2\)\], got 1: \[\[2, 3\]\]/,
    );
    assert.throws(
      () => model.apply([tensor(X), tensor(X)]),
      /Model 'two_in': input 1 .* expects shape \(None, 2\), got \[2, 3\]/,
    );
  });

  it('round-trips through getConfig/fromConfig (shared layer, nested model, two outputs)', () => {
    const inner = (() => {
      const x = Input({ shape: [2] });
      return new Model({ inputs: x, outputs: new Dense(2, { activation: 'tanh' }).apply(x) });
    })();
    const a = Input({ shape: [3] });
    const b = Input({ shape: [3] });
    const shared = new Dense(2);
    const ha = shared.apply(a);
    const hb = shared.apply(b);
    const model = new Model({ inputs: [a, b], outputs: [inner.apply(ha), new Dense(1).apply(hb)] });
    const config = JSON.parse(JSON.stringify(model.getConfig())) as Record<string, unknown>;
    const copy = Model.fromConfig(config);
    assert.deepEqual(
      copy.layers.map((l) => l.name),
      model.layers.map((l) => l.name),
    );
    copy.setWeights(model.getWeights());
    const xs = [
      tensor(X),
      tensor([
        [1, 1, 1],
        [0, -2, 1],
      ]),
    ];
    const want = model.apply(xs) as Tensor[];
    const got = copy.apply(xs) as Tensor[];
    expectClose(got[0]!, want[0]!);
    expectClose(got[1]!, want[1]!);
    assert.deepEqual(config['outputLayers'], [
      [inner.name, 0, 0],
      [model.layers[4]!.name, 0, 0],
    ]);
  });
});
