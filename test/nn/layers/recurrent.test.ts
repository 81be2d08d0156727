import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Model } from '../../../src/models/model.js';
import type { SymbolicTensor } from '../../../src/nn/engine/symbolic-tensor.js';
import { GRU } from '../../../src/nn/layers/gru.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { LSTM } from '../../../src/nn/layers/lstm.js';
import { SimpleRNN } from '../../../src/nn/layers/simple-rnn.js';
import {
  add,
  lstm,
  matMul,
  mul,
  reshape,
  sigmoid,
  split,
  sub,
  tanh,
} from '../../../src/ops/index.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

const mask = tensor(
  [
    [true, true, true, false],
    [false, true, true, true],
  ],
  [2, 4],
);

const kinds = [
  {
    name: 'LSTM',
    make: (u: number, a = {}) => new LSTM(u, a),
    gates: 4,
    bias: (u: number) => [4 * u],
  },
  {
    name: 'GRU',
    make: (u: number, a = {}) => new GRU(u, a),
    gates: 3,
    bias: (u: number) => [2, 3 * u],
  },
  {
    name: 'SimpleRNN',
    make: (u: number, a = {}) => new SimpleRNN(u, a),
    gates: 1,
    bias: (u: number) => [u],
  },
];

for (const k of kinds) {
  describe(k.name, () => {
    it('passes the shared layer checks with Keras weight shapes', () => {
      runLayerTest({
        layer: () => k.make(3),
        inputShape: [2, 4, 5],
        expectedOutputShape: [2, 3],
        expectedNumWeights: 3,
        expectedNumTrainableWeights: 3,
        expectedWeightShapes: [[5, k.gates * 3], [3, k.gates * 3], k.bias(3)],
      });
      runLayerTest({
        layer: () => k.make(2, { returnSequences: true, goBackwards: true, useBias: false }),
        inputShape: [2, 4, 3],
        expectedOutputShape: [2, 4, 2],
        expectedNumWeights: 2,
        expectedNumTrainableWeights: 2,
      });
    });

    it('has finite-difference gradients with masks, returnSequences and goBackwards', () => {
      for (const goBackwards of [false, true]) {
        const layer = k.make(2, {
          returnSequences: true,
          goBackwards,
          biasInitializer: 'randomNormal',
        });
        expectLayerGradOk(layer, rand([2, 4, 3], 4), { callArgs: { mask } });
      }
      expectLayerGradOk(k.make(3), rand([2, 3, 2], 5));
    });

    it('returns the last states with returnState and accepts initial states', () => {
      const layer = k.make(2, { returnState: true });
      const x = rand([2, 3, 4], 6);
      const out = layer.apply(x) as unknown as Tensor[];
      const n = k.name === 'LSTM' ? 2 : 1;
      assert.equal(out.length, 1 + n);
      expectClose(out[0]!, out[1]!);
      const states = Array.from({ length: n }, (_, i) => rand([2, 2], 10 + i));
      const a = layer.apply([x, ...states]) as unknown as Tensor[];
      const b = layer.apply(x, { initialState: states }) as unknown as Tensor[];
      expectClose(a[0]!, b[0]!);
      assert.ok(a[0]!.data.some((v, i) => Math.abs(v - out[0]!.data[i]!) > 1e-6));
      assert.deepEqual(layer.computeOutputShape([null, 3, 4]), [
        [null, 2],
        ...Array.from({ length: n }, () => [null, 2]),
      ]);
      assert.throws(() => layer.apply([x, states[0]!, states[0]!, states[0]!]), /initial state/);
    });

    it('uses dropout and recurrentDropout only in training', () => {
      const layer = k.make(3, { dropout: 0.5, recurrentDropout: 0.5, seed: 3 });
      const x = rand([4, 5, 3], 7);
      const inference = layer.apply(x);
      expectClose(layer.apply(x, { training: false }), inference);
      const trained = layer.apply(x, { training: true });
      assert.ok(trained.data.some((v, i) => Math.abs(v - inference.data[i]!) > 1e-4));
    });

    it('names the layer in its errors', () => {
      const layer = k.make(2);
      layer.apply(rand([2, 4, 3]));
      assert.throws(
        () => layer.apply(rand([2, 4, 5])),
        new RegExp(`${k.name} '.*': expected input \\(None, steps, 3\\)`),
      );
      assert.throws(
        () => layer.apply(rand([2, 4, 3]), { mask: tensor([[true, false]]) }),
        /the mask \[1, 2\] does not match the input \[2, 4, 3\]/,
      );
      assert.throws(() => k.make(0), new RegExp(`${k.name}: units must be a positive integer`));
      assert.throws(() => k.make(2, { dropout: 1.5 }), /dropout must be a number in \[0, 1\)/);
      assert.throws(() => k.make(2, { activation: 'gelu' }), /activation 'gelu' is not supported/);
    });
  });
}

describe('LSTM specifics', () => {
  it('initializes the forget-gate bias to 1 (unitForgetBias) and the rest to 0', () => {
    const layer = new LSTM(3);
    layer.apply(rand([1, 2, 2]));
    assert.deepEqual([...layer.bias!.data], [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
    const plain = new LSTM(3, { unitForgetBias: false });
    plain.apply(rand([1, 2, 2]));
    assert.ok(plain.bias!.data.every((v) => v === 0));
  });

  it('samples one dropout mask per call, shared by all steps (Keras)', () => {
    // x is the same at every step; with one input mask M per call the training output equals
    // lstm(x·M) for one of the 2^3 masks M with entries in {0, 2}.
    const layer = new LSTM(2, { dropout: 0.5, seed: 11 });
    const row = rand([1, 1, 3], 8);
    const x = tensor(
      Float32Array.from({ length: 12 }, (_, i) => row.data[i % 3]!),
      [1, 4, 3],
    );
    const y = layer.apply(x, { training: true });
    const [kernel, rk, bias] = layer.weights;
    let matches = 0;
    for (let m = 0; m < 8; m++) {
      const M = tensor([[0, 1, 2].map((j) => ((m >> j) & 1) * 2)], [1, 3]);
      const ref = lstm(mul(x, reshape(M, [1, 1, 3])), kernel!, rk!, bias!).lastH;
      if (ref.data.every((v, i) => Math.abs(v - y.data[i]!) < 1e-6)) matches++;
    }
    assert.ok(matches >= 1, 'the output is the LSTM of x times one per-call mask');
  });
});

describe('recurrent dropout', () => {
  it('multiplies h by one mask per call before the recurrent product (Keras)', () => {
    const layer = new LSTM(2, { recurrentDropout: 0.5, seed: 5 });
    const x = rand([1, 4, 3], 8);
    const y = layer.apply(x, { training: true });
    const [kernel, rk, bias] = layer.weights;
    let matches = 0;
    for (let m = 0; m < 4; m++) {
      const M = tensor([[m & 1 ? 2 : 0, m & 2 ? 2 : 0]], [1, 2]);
      const ref = lstm(x, kernel!, rk!, bias!, { recurrentMask: M }).lastH;
      if (ref.data.every((v, i) => Math.abs(v - y.data[i]!) < 1e-6)) matches++;
    }
    assert.ok(matches >= 1, 'the output is the LSTM with one per-call recurrent mask');
  });
});

describe('GRU resetAfter=false', () => {
  it('has a [3·units] bias, the original formula and correct gradients with a mask', () => {
    runLayerTest({
      layer: () => new GRU(3, { resetAfter: false }),
      inputShape: [2, 4, 5],
      expectedOutputShape: [2, 3],
      expectedNumWeights: 3,
      expectedNumTrainableWeights: 3,
      expectedWeightShapes: [[5, 9], [3, 9], [9]],
    });
    // One step from h = 0: h = (1 - z)·hh with z = σ(x·kz + bz), hh = tanh(x·kh + bh).
    const layer = new GRU(2, { resetAfter: false, biasInitializer: 'randomNormal' });
    const x = rand([3, 1, 4], 9);
    const y = layer.apply(x);
    const [k, , b] = layer.weights;
    const pre = add(matMul(reshape(x, [3, 4]), k!), b!);
    const [pz, , ph] = split(pre, 3, 1);
    expectClose(y, mul(sub(1, sigmoid(pz!)), tanh(ph!)), { atol: 1e-6 });
    expectLayerGradOk(
      new GRU(2, { resetAfter: false, returnSequences: true, goBackwards: true }),
      rand([2, 4, 3], 4),
      { callArgs: { mask } },
    );
  });
});

describe('recurrent layers in the functional API', () => {
  it('take initial states as extra inputs and return states', () => {
    const x = Input({ shape: [4, 3] });
    const h = Input({ shape: [2] });
    const c = Input({ shape: [2] });
    const layer = new LSTM(2, { returnSequences: true, returnState: true });
    const outs = layer.apply([x, h, c]) as SymbolicTensor[];
    assert.deepEqual(
      outs.map((o) => o.shape),
      [
        [null, 4, 2],
        [null, 2],
        [null, 2],
      ],
    );
    const model = new Model({ inputs: [x, h, c], outputs: outs });
    const xs = [rand([2, 4, 3], 1), rand([2, 2], 2), rand([2, 2], 3)];
    const got = model.predict(xs) as Tensor[];
    const want = layer.apply(xs) as unknown as Tensor[];
    for (const [i, g] of got.entries()) expectClose(g, want[i]!, { atol: 1e-6 });
  });
});
