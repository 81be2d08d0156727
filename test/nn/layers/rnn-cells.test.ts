import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel } from '../../../src/io/keel-format/model-file.js';
import { Sequential } from '../../../src/models/sequential.js';
import {
  type CallArgs,
  Layer,
  type LayerArgs,
  type LayerInput,
} from '../../../src/nn/engine/layer.js';
import type { SymbolicShape } from '../../../src/nn/engine/symbolic-tensor.js';
import { getInitializer } from '../../../src/nn/initializers/get-initializer.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { GRU } from '../../../src/nn/layers/gru.js';
import { GRUCell } from '../../../src/nn/layers/gru-cell.js';
import { LSTM } from '../../../src/nn/layers/lstm.js';
import { LSTMCell } from '../../../src/nn/layers/lstm-cell.js';
import { registerLayer } from '../../../src/nn/layers/registry.js';
import { RNN } from '../../../src/nn/layers/rnn.js';
import { SimpleRNN } from '../../../src/nn/layers/simple-rnn.js';
import { SimpleRNNCell } from '../../../src/nn/layers/simple-rnn-cell.js';
import { StackedRNNCells } from '../../../src/nn/layers/stacked-rnn-cells.js';
import { add, matMul, reshape, slice, tanh } from '../../../src/ops/index.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor, Variable } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';
import '../../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-rnn-cells-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const mask = tensor(
  [
    [true, true, true, false],
    [false, true, true, true],
  ],
  [2, 4],
);

/** Keras's documented example of a custom cell: h = tanh(x·kernel + h·recurrentKernel). */
class MinimalRNNCell extends Layer {
  static override className = 'MinimalRNNCellForTest';
  kernel: Variable | null = null;
  recurrentKernel: Variable | null = null;
  constructor(
    readonly units: number,
    args: LayerArgs = {},
  ) {
    super(args);
  }
  get stateSize(): number[] {
    return [this.units];
  }
  get outputSize(): number {
    return this.units;
  }
  override build(shape: SymbolicShape | SymbolicShape[]): void {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as SymbolicShape;
    this.kernel = this.addWeight('kernel', {
      shape: [s[1]!, this.units],
      initializer: getInitializer('glorotUniform'),
    });
    this.recurrentKernel = this.addWeight('recurrent_kernel', {
      shape: [this.units, this.units],
      initializer: getInitializer('orthogonal'),
    });
  }
  override call(inputs: LayerInput, _args: CallArgs): Tensor[] {
    const [x, h] = inputs as Tensor[];
    const y = tanh(add(matMul(x!, this.kernel!), matMul(h!, this.recurrentKernel!)));
    return [y, y];
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), units: this.units };
  }
  static fromConfig(c: Record<string, unknown>): MinimalRNNCell {
    const { units, ...args } = c;
    return new MinimalRNNCell(units as number, args);
  }
}
registerLayer(MinimalRNNCell);

const kinds = [
  {
    name: 'LSTMCell',
    cell: (u: number) => new LSTMCell(u),
    layer: (u: number, a = {}) => new LSTM(u, a),
    states: 2,
  },
  {
    name: 'GRUCell',
    cell: (u: number) => new GRUCell(u),
    layer: (u: number, a = {}) => new GRU(u, a),
    states: 1,
  },
  {
    name: 'SimpleRNNCell',
    cell: (u: number) => new SimpleRNNCell(u),
    layer: (u: number, a = {}) => new SimpleRNN(u, a),
    states: 1,
  },
];

for (const k of kinds) {
  describe(`RNN(${k.name})`, () => {
    it("passes the shared layer checks with the layer's weight shapes", () => {
      const layer = k.layer(3);
      layer.apply(rand([1, 2, 5]));
      runLayerTest({
        layer: () => new RNN(k.cell(3), { returnSequences: true }),
        inputShape: [2, 4, 5],
        expectedOutputShape: [2, 4, 3],
        expectedNumWeights: 3,
        expectedNumTrainableWeights: 3,
        expectedWeightShapes: layer.weights.map((w) => [...w.shape]),
      });
    });

    it('equals the fused layer with the same weights (masks, goBackwards, returnState)', () => {
      for (const goBackwards of [false, true]) {
        const args = { returnSequences: true, returnState: true, goBackwards };
        // The fused layers output zeros at masked steps.
        const rnn = new RNN(k.cell(3), { ...args, zeroOutputForMask: true });
        const layer = k.layer(3, args);
        const x = rand([2, 4, 2], 3);
        rnn.apply(x);
        layer.apply(x);
        layer.setWeights(rnn.getWeights().map((w) => add(w, 0)));
        const a = rnn.apply(x, { mask }) as unknown as Tensor[];
        const b = layer.apply(x, { mask }) as unknown as Tensor[];
        assert.equal(a.length, 1 + k.states);
        for (const [i, t] of a.entries()) expectClose(t, b[i]!, { atol: 1e-6 });
      }
    });

    it('steps once per cell call, like a one-step RNN', () => {
      const cell = k.cell(2);
      const rnn = new RNN(cell, { returnState: true });
      const x = rand([3, 1, 4], 4);
      const states = Array.from({ length: k.states }, (_, i) => rand([3, 2], 20 + i));
      const whole = rnn.apply([x, ...states]) as unknown as Tensor[];
      const step = cell.apply([reshape(x, [3, 4]), ...states]) as unknown as Tensor[];
      assert.equal(step.length, 1 + k.states);
      for (const [i, t] of step.entries()) expectClose(t, whole[i]!, { atol: 1e-6 });
      assert.deepEqual(cell.computeOutputShape([null, 4]), [
        [null, 2],
        ...Array.from({ length: k.states }, () => [null, 2]),
      ]);
    });

    it('has finite-difference gradients through the wrapper', () => {
      const rnn = new RNN(k.cell(2), { returnSequences: true, goBackwards: true });
      expectLayerGradOk(rnn, rand([2, 4, 3], 4), { callArgs: { mask } });
    });

    it('matches PyTorch on the committed reference', () => {
      const cases = JSON.parse(
        readFileSync(new URL('./fixtures/rnn-cells.json', import.meta.url), 'utf8'),
      ) as {
        cell: string;
        units: number;
        x: { shape: number[]; data: number[] };
        initialStates: number[][];
        weights: { shape: number[]; data: number[] }[];
        sequences: { shape: number[]; data: number[] };
        states: number[][];
      }[];
      const c = cases.find((r) => r.cell === k.name)!;
      const rnn = new RNN(k.cell(c.units), { returnSequences: true, returnState: true });
      const x = tensor(c.x.data, c.x.shape);
      const batch = c.x.shape[0]!;
      const init = c.initialStates.map((s) => tensor(s, [batch, c.units]));
      rnn.apply(x);
      rnn.setWeights(c.weights.map((w) => tensor(w.data, w.shape)));
      const [seqs, ...states] = rnn.apply(x, { initialState: init }) as unknown as Tensor[];
      expectClose(seqs!, tensor(c.sequences.data, c.sequences.shape), { atol: 1e-5 });
      for (const [i, s] of states.entries())
        expectClose(s, tensor(c.states[i]!, [batch, c.units]), { atol: 1e-5 });
    });
  });
}

describe('StackedRNNCells', () => {
  it("passes the shared layer checks and stacks the cells' states in order", () => {
    runLayerTest({
      layer: () => new RNN([new LSTMCell(3), new GRUCell(2)]),
      inputShape: [2, 4, 5],
      expectedOutputShape: [2, 2],
      expectedNumWeights: 6,
      expectedNumTrainableWeights: 6,
      expectedWeightShapes: [[5, 12], [3, 12], [12], [3, 6], [2, 6], [2, 6]],
    });
  });

  it('gives the same values as stepping the stack one step at a time', () => {
    const stacked = new StackedRNNCells([new LSTMCell(3), new MinimalRNNCell(2), new GRUCell(2)]);
    const rnn = new RNN(stacked, { returnSequences: true, returnState: true });
    const x = rand([2, 4, 3], 6);
    const [seqs, ...last] = rnn.apply(x) as unknown as Tensor[];
    assert.deepEqual(stacked.stateSize, [3, 3, 2, 2]);
    let states = [3, 3, 2, 2].map((u) => tensor(new Float32Array(2 * u), [2, u]));
    for (let t = 0; t < 4; t++) {
      const xt = reshape(slice(x, [0, t, 0], [2, 1, 3]), [2, 3]);
      const [y, ...next] = stacked.apply([xt, ...states]) as unknown as Tensor[];
      expectClose(y!, reshape(slice(seqs!, [0, t, 0], [2, 1, 2]), [2, 2]), { atol: 1e-5 });
      states = next;
    }
    for (const [i, s] of states.entries()) expectClose(s, last[i]!, { atol: 1e-5 });
  });

  it('has finite-difference gradients with a mask', () => {
    const rnn = new RNN([new SimpleRNNCell(2), new LSTMCell(2)], { returnSequences: true });
    expectLayerGradOk(rnn, rand([2, 4, 3], 8), { callArgs: { mask } });
  });
});

describe('RNN with a custom cell', () => {
  it('runs the cell step by step, keeping states at masked steps, with gradients', () => {
    const rnn = new RNN(new MinimalRNNCell(2), { returnSequences: true });
    const x = rand([2, 4, 3], 9);
    const y = rnn.apply(x, { mask });
    assert.deepEqual([...y.shape], [2, 4, 2]);
    // Keras's default zeroOutputForMask=false: a masked step repeats the previous output (the
    // zero initial state before any step); with true it outputs zeros.
    const at = (t: Tensor, b: number, s: number) => [
      ...t.data.slice((b * 4 + s) * 2, (b * 4 + s) * 2 + 2),
    ];
    assert.deepEqual(at(y, 1, 0), [0, 0], 'a leading masked step repeats the zero state');
    assert.deepEqual(at(y, 0, 3), at(y, 0, 2), 'a masked step repeats the previous output');
    assert.ok(at(y, 0, 2).every((v) => v !== 0));
    const zeroed = new RNN(rnn.cell, { returnSequences: true, zeroOutputForMask: true });
    const z = zeroed.apply(x, { mask });
    assert.deepEqual(at(z, 0, 3), [0, 0], 'zeroOutputForMask: output 0 at a masked step');
    assert.deepEqual(at(z, 0, 2), at(y, 0, 2));
    const h0 = rand([2, 2], 12);
    const fromH0 = rnn.apply([x, h0], { mask }) as Tensor;
    assert.deepEqual(at(fromH0, 1, 0), [...h0.data.slice(2, 4)], 'before any step: the initial h');
    const cell = rnn.cell as MinimalRNNCell;
    const y0 = tanh(matMul(reshape(slice(x, [0, 0, 0], [1, 1, 3]), [1, 3]), cell.kernel!));
    expectClose(reshape(slice(y, [0, 0, 0], [1, 1, 2]), [1, 2]), y0, { atol: 1e-6 });
    expectLayerGradOk(rnn, x, { callArgs: { mask } });
    runLayerTest({
      layer: () => new RNN(new MinimalRNNCell(2)),
      inputShape: [2, 3, 4],
      expectedOutputShape: [2, 2],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
    });
  });
});

describe('RNN wrapper', () => {
  it('carries states across calls when stateful, until resetStates', () => {
    const rnn = new RNN(new GRUCell(2), { stateful: true });
    const x = rand([2, 3, 2], 12);
    const first = rnn.apply(x);
    const second = rnn.apply(x);
    assert.ok(second.data.some((v, i) => Math.abs(v - first.data[i]!) > 1e-6));
    rnn.resetStates();
    expectClose(rnn.apply(x), first);
    assert.throws(() => rnn.apply(rand([3, 3, 2])), /carries states for a batch of 2/);
  });

  it('saves and loads inside a model with the same predictions', () => {
    const model = new Sequential([
      new RNN([new LSTMCell(3), new GRUCell(2)], { returnSequences: true, inputShape: [4, 3] }),
      new RNN(new SimpleRNNCell(2), { goBackwards: true }),
      new Dense(1),
    ]);
    const x = rand([2, 4, 3], 13);
    const want = model.predict(x) as Tensor;
    const file = join(dir, 'm.keel');
    model.save(file);
    expectClose(loadModel(file).predict(x) as Tensor, want, { atol: 0 });
  });

  it('names the layer and the shapes in its errors', () => {
    assert.throws(() => new RNN(new Dense(2) as never), /RNN: cell must be a layer with stateSize/);
    assert.throws(
      () => new LSTMCell(2, { returnSequences: true } as never),
      /LSTMCell: returnSequences is an argument of the RNN wrapper/,
    );
    const rnn = new RNN(new LSTMCell(2), { name: 'r' });
    const x = rand([2, 4, 3]);
    rnn.apply(x);
    assert.throws(() => rnn.apply(rand([2, 4, 5])), /RNN 'r': expected input \(None, steps, 3\)/);
    assert.throws(
      () => rnn.apply([x, rand([2, 2])]),
      /expected 2 initial state tensor\(s\) of sizes \[2, 2\], got 1/,
    );
    assert.throws(
      () => rnn.apply([x, rand([2, 2]), rand([2, 3])]),
      /initial state 1 must be \[2, 2\], got \[2, 3\]/,
    );
    assert.throws(
      () => new LSTMCell(2, { name: 'c' }).apply(rand([2, 4, 3])),
      /LSTMCell: expected a step input \(None, features\)/,
    );
  });
});
