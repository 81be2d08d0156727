import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { Sequential } from '../../../src/models/sequential.js';
import { AveragePooling1D } from '../../../src/nn/layers/average-pooling1d.js';
import { Bidirectional } from '../../../src/nn/layers/bidirectional.js';
import { Conv1D } from '../../../src/nn/layers/conv1d.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { Embedding } from '../../../src/nn/layers/embedding.js';
import { GlobalAveragePooling1D } from '../../../src/nn/layers/global-average-pooling1d.js';
import { GlobalMaxPooling1D } from '../../../src/nn/layers/global-max-pooling1d.js';
import { GRU } from '../../../src/nn/layers/gru.js';
import { LSTM } from '../../../src/nn/layers/lstm.js';
import { Masking } from '../../../src/nn/layers/masking.js';
import { MaxPooling1D } from '../../../src/nn/layers/max-pooling1d.js';
import { SimpleRNN } from '../../../src/nn/layers/simple-rnn.js';
import { TimeDistributed } from '../../../src/nn/layers/time-distributed.js';
import { add, concat, div, mul, reshape, reverse, sum } from '../../../src/ops/index.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

const ids = tensor(
  [
    [0, 0, 3, 1],
    [2, 4, 0, 1],
  ],
  [2, 4],
  'int32',
);

describe('Embedding', () => {
  it('passes the shared layer checks and looks rows up', () => {
    const layer = runLayerTest({
      layer: () => new Embedding(5, 3, { maskZero: true }),
      inputShape: [2, 4],
      input: ids,
      expectedOutputShape: [2, 4, 3],
      expectedNumWeights: 1,
      expectedNumTrainableWeights: 1,
      expectedWeightShapes: [[5, 3]],
    });
    const table = layer.weights[0]!;
    const y = layer.apply(ids);
    for (let j = 0; j < 3; j++) assert.equal(y.data[2 * 3 + j], table.data[3 * 3 + j]);
    assert.deepEqual([...layer.computeMask(ids, null)!.data], [0, 0, 1, 1, 1, 1, 0, 1]);
    assert.equal(new Embedding(5, 3).computeMask(ids, null), null);
  });

  it('initializes uniformly in [-0.05, 0.05] and scatter-adds its gradient', () => {
    const layer = new Embedding(50, 4);
    const y = layer.apply(tensor([[1, 1, 2]], [1, 3], 'int32'));
    assert.ok(layer.weights[0]!.data.every((v) => Math.abs(v) <= 0.05));
    const [g] = grad(sum(y), layer.weights);
    const rows = Array.from({ length: 50 }, (_, r) => g!.data[r * 4]);
    assert.deepEqual(rows.slice(0, 4), [0, 2, 1, 0]);
    assert.equal(rows.filter((v) => v !== 0).length, 2);
  });

  it('rejects bad token ids naming Embedding, the id and inputDim', () => {
    const layer = new Embedding(5, 2);
    assert.throws(
      () => layer.apply(tensor([[1, 7]], [1, 2], 'int32')),
      /Embedding 'embedding.*': token id 7 \(sample 0, step 1\) in input \[1, 2\] is out of range: ids must be < inputDim=5/,
    );
    assert.throws(() => layer.apply(tensor([[1.5]])), /token id 1.5 .* is not an integer/);
    assert.throws(() => layer.apply(tensor([[-1]])), /token id -1 .* is negative/);
    assert.throws(() => new Embedding(0, 2), /Embedding: inputDim must be a positive integer/);
  });

  it('feeds its mask to an LSTM: padded steps do not change the result', () => {
    const model = new Sequential([
      new Embedding(10, 3, { maskZero: true, inputLength: 5 }),
      new LSTM(4),
    ]);
    const a = model.predict(tensor([[0, 0, 3, 4, 5]], [1, 5], 'int32')) as Tensor;
    const short = new Sequential([new Embedding(10, 3, { inputLength: 3 }), new LSTM(4)]);
    short.build([null, 3]);
    short.setWeights(model.getWeights());
    expectClose(a, short.predict(tensor([[3, 4, 5]], [1, 3], 'int32')) as Tensor, { atol: 1e-6 });
  });
});

describe('Bidirectional', () => {
  const x = rand([2, 4, 3], 1);
  it('concatenates a forward and a backward copy (weights forward then backward)', () => {
    runLayerTest({
      layer: () => new Bidirectional(new LSTM(2)),
      inputShape: [2, 4, 3],
      expectedOutputShape: [2, 4],
      expectedNumWeights: 6,
      expectedNumTrainableWeights: 6,
      expectedWeightShapes: [[3, 8], [2, 8], [8], [3, 8], [2, 8], [8]],
    });
    const layer = new Bidirectional(new GRU(2, { returnSequences: true }), { mergeMode: 'sum' });
    const y = layer.apply(x);
    const f = layer.forwardLayer.apply(x);
    const b = layer.backwardLayer.apply(x);
    assert.equal(layer.backwardLayer.goBackwards, true);
    expectClose(y, add(f, reverse(b, [1])), { atol: 1e-6 });
  });

  it('merges with every mode and has correct gradients with a mask', () => {
    const mask = tensor(
      [
        [true, true, false, false],
        [true, true, true, true],
      ],
      [2, 4],
    );
    for (const mergeMode of ['sum', 'mul', 'concat', 'ave'] as const) {
      const layer = new Bidirectional(new SimpleRNN(2, { returnSequences: true }), { mergeMode });
      const y = layer.apply(x, { mask });
      const f = layer.forwardLayer.apply(x, { mask });
      const b = reverse(layer.backwardLayer.apply(x, { mask }), [1]);
      const want = {
        sum: add(f, b),
        mul: mul(f, b),
        concat: concat([f, b], -1),
        ave: div(add(f, b), 2),
      };
      expectClose(y, want[mergeMode], { atol: 1e-6 });
    }
    const both = new Bidirectional(new SimpleRNN(2), { mergeMode: null }).apply(x);
    assert.equal((both as unknown as Tensor[]).length, 2);
    expectLayerGradOk(new Bidirectional(new LSTM(2, { returnSequences: true })), x, {
      callArgs: { mask },
    });
  });

  it("returns both directions' states and rejects non-recurrent layers", () => {
    const out = new Bidirectional(new LSTM(2, { returnState: true })).apply(
      x,
    ) as unknown as Tensor[];
    assert.deepEqual(
      out.map((t) => t.shape),
      [
        [2, 4],
        [2, 2],
        [2, 2],
        [2, 2],
        [2, 2],
      ],
    );
    assert.throws(
      () => new Bidirectional(new Dense(2) as unknown as LSTM),
      /Bidirectional: layer must be a recurrent layer/,
    );
    assert.throws(
      () => new Bidirectional(new LSTM(2), { mergeMode: 'max' as 'sum' }),
      /mergeMode must be/,
    );
  });
});

describe('TimeDistributed, Masking and 1-D pooling', () => {
  it('TimeDistributed applies one layer at every step', () => {
    const layer = runLayerTest({
      layer: () => new TimeDistributed(new Dense(3)),
      inputShape: [2, 4, 5],
      expectedOutputShape: [2, 4, 3],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
    }) as TimeDistributed;
    const x = rand([2, 4, 5], 3);
    const y = layer.apply(x);
    const flat = layer.layer.apply(reshape(x, [8, 5]));
    expectClose(y, reshape(flat, [2, 4, 3]), { atol: 1e-6 });
    expectLayerGradOk(new TimeDistributed(new Dense(2)), rand([2, 3, 2], 4));
  });

  it('Masking zeroes and masks the steps that equal maskValue', () => {
    const x = tensor([
      [
        [1, 2],
        [0, 0],
        [3, 0],
      ],
    ]);
    const layer = new Masking();
    expectClose(layer.apply(x), x);
    assert.deepEqual([...layer.computeMask(x, null)!.data], [1, 0, 1]);
    const m = new Masking({ maskValue: 3 });
    expectClose(
      m.apply(
        tensor([
          [
            [3, 3],
            [1, 3],
          ],
        ]),
      ),
      [
        [
          [0, 0],
          [1, 3],
        ],
      ],
    );
  });

  it('GlobalAveragePooling1D averages only the valid steps of a mask', () => {
    const x = tensor([
      [
        [1, 2],
        [3, 4],
        [100, 100],
      ],
    ]);
    const mask = tensor([[true, true, false]]);
    const layer = new GlobalAveragePooling1D();
    expectClose(layer.apply(x), [[104 / 3, 106 / 3]], { atol: 1e-4 });
    expectClose(layer.apply(x, { mask }), [[2, 3]]);
    assert.throws(
      () => layer.apply(x, { mask: tensor([[true, false]]) }),
      /the mask \[1, 2\] does not match/,
    );
    expectClose(new GlobalMaxPooling1D().apply(x), [[100, 100]]);
    const m2 = tensor([
      [true, false, true],
      [true, true, true],
    ]);
    expectGradOk((xi) => layer.apply(xi, { mask: m2 }), [rand([2, 3, 2], 2)]);
  });

  it('MaxPooling1D and AveragePooling1D pool windows of steps', () => {
    const x = tensor([[[1], [5], [2], [4], [9]]]);
    expectClose(new MaxPooling1D().apply(x), [[[5], [4]]]);
    expectClose(new AveragePooling1D(2, { strides: 1 }).apply(x), [[[3], [3.5], [3], [6.5]]]);
    runLayerTest({
      layer: () => new MaxPooling1D(2, { padding: 'same' }),
      inputShape: [2, 5, 3],
      expectedOutputShape: [2, 3, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('Conv1D with causal padding sees only past steps', () => {
    const layer = new Conv1D(1, 3, {
      padding: 'causal',
      kernelInitializer: 'ones',
      useBias: false,
    });
    const y = layer.apply(tensor([[[1], [2], [3], [4]]]));
    expectClose(y, [[[1], [3], [6], [9]]]);
  });
});

describe('sequence models end to end', () => {
  it('trains Embedding(maskZero) → Bidirectional(LSTM) → Dense with fit, and round-trips its config', async () => {
    const model = new Sequential([
      new Embedding(12, 4, { maskZero: true, inputLength: 6 }),
      new Bidirectional(new LSTM(3, { dropout: 0.1, recurrentDropout: 0.1 })),
      new Dense(1, { activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const x = tensor(
      Int32Array.from({ length: 16 * 6 }, (_, i) => (i * 7) % 12),
      [16, 6],
      'int32',
    );
    const y = tensor(Float32Array.from({ length: 16 }, (_, i) => i % 2));
    const before = (await model.evaluate(x, y, { verbose: 0 })) as number[];
    await model.fit(x, y, { epochs: 5, batchSize: 8, verbose: 0 });
    const after = (await model.evaluate(x, y, { verbose: 0 })) as number[];
    assert.ok(after[0]! < before[0]!, `loss goes down: ${before[0]} -> ${after[0]}`);
    const copy = Sequential.fromConfig(JSON.parse(JSON.stringify(model.getConfig())));
    copy.setWeights(model.getWeights());
    expectClose(copy.predict(x) as Tensor, model.predict(x) as Tensor, { atol: 1e-6 });
    assert.throws(
      () => model.predict(tensor([[1, 2, 3, 4, 5, 40]], [1, 6], 'int32')),
      /token id 40 .* ids must be < inputDim=12/,
    );
  });
});
