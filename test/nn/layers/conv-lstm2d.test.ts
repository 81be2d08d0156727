import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadModel } from '../../../src/io/keel-format/model-file.js';
import { Sequential } from '../../../src/models/sequential.js';
import { ConvLSTM2D } from '../../../src/nn/layers/conv-lstm2d.js';
import { GlobalAveragePooling2D } from '../../../src/nn/layers/global-average-pooling2d.js';
import { reverse, slice } from '../../../src/ops/index.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';
import '../../../src/backends/index.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-convlstm-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const seq = (shape: number[], k: number): Tensor =>
  tensor(
    Float32Array.from(
      { length: shape.reduce((a, b) => a * b, 1) },
      (_, i) => 0.5 * Math.sin(0.31 * i + k),
    ),
    shape,
  );

describe('ConvLSTM2D', () => {
  it('matches the PyTorch reference', () => {
    const cases = JSON.parse(
      readFileSync(new URL('./fixtures/conv-lstm2d.json', import.meta.url), 'utf8'),
    ) as {
      x: number[];
      filters: number;
      kernelSize: number[];
      strides: number[];
      padding: 'valid' | 'same';
      weights: number[][];
      outShape: number[];
      y: number[];
      c: number[];
    }[];
    for (const c of cases) {
      const layer = new ConvLSTM2D(c.filters, c.kernelSize, {
        strides: c.strides,
        padding: c.padding,
        returnSequences: true,
        returnState: true,
      });
      const x = seq(c.x, 0);
      layer.apply(x);
      layer.setWeights(c.weights.map((s, i) => seq(s, i + 1)));
      const [y, h, cell] = layer.apply(x) as unknown as Tensor[];
      expectClose(y!, tensor(c.y, c.outShape), { atol: 1e-5 });
      expectClose(cell!, tensor(c.c, [...h!.shape]), { atol: 1e-5 });
    }
  });

  it('passes the shared layer checks with Keras weight shapes', () => {
    runLayerTest({
      layer: () => new ConvLSTM2D(2, 3, { padding: 'same' }),
      inputShape: [2, 3, 4, 5, 3],
      expectedOutputShape: [2, 4, 5, 2],
      expectedNumWeights: 3,
      expectedNumTrainableWeights: 3,
      expectedWeightShapes: [[3, 3, 3, 8], [3, 3, 2, 8], [8]],
    });
    runLayerTest({
      layer: () => new ConvLSTM2D(1, [2, 2], { returnSequences: true, strides: 2 }),
      inputShape: [1, 2, 5, 4, 1],
      expectedOutputShape: [1, 2, 2, 2, 1],
      expectedNumWeights: 3,
      expectedNumTrainableWeights: 3,
    });
    const layer = new ConvLSTM2D(2, 1);
    layer.apply(rand([1, 2, 2, 2, 1]));
    assert.deepEqual([...layer.bias!.data], [0, 0, 1, 1, 0, 0, 0, 0]);
  });

  it('has finite-difference gradients with a mask and goBackwards', () => {
    const mask = tensor(
      [
        [true, true, false],
        [false, true, true],
      ],
      [2, 3],
      'bool',
    );
    const layer = new ConvLSTM2D(2, 2, {
      padding: 'same',
      returnSequences: true,
      goBackwards: true,
      biasInitializer: 'randomNormal',
    });
    expectLayerGradOk(layer, rand([2, 3, 3, 2, 1], 3), { callArgs: { mask } });
  });

  it('runs goBackwards as the forward layer on the reversed sequence, and keeps states at masked steps', () => {
    const x = rand([1, 3, 3, 3, 2], 4);
    const fwd = new ConvLSTM2D(2, 3, { padding: 'same', returnSequences: true });
    const back = new ConvLSTM2D(2, 3, {
      padding: 'same',
      returnSequences: true,
      goBackwards: true,
    });
    fwd.apply(x);
    back.apply(x);
    back.setWeights(fwd.getWeights());
    expectClose(back.apply(x), fwd.apply(reverse(x, [1])), { atol: 1e-6 });
    const mask = tensor([[true, false, true]], [1, 3], 'bool');
    const y = fwd.apply(x, { mask });
    assert.ok(slice(y, [0, 1, 0, 0, 0], [1, 1, 3, 3, 2]).data.every((v) => v === 0));
  });

  it('saves and loads inside a model with the same predictions', () => {
    const model = new Sequential([
      new ConvLSTM2D(2, 3, { padding: 'same', inputShape: [3, 4, 4, 1] }),
      new GlobalAveragePooling2D(),
    ]);
    const x = rand([2, 3, 4, 4, 1], 5);
    const want = model.predict(x) as Tensor;
    const file = join(dir, 'm.keel');
    model.save(file);
    expectClose(loadModel(file).predict(x) as Tensor, want, { atol: 0 });
  });

  it("takes Keras's kernel, recurrent and bias regularizers: penalties and config", () => {
    const layer = new ConvLSTM2D(2, 2, {
      kernelRegularizer: 'l2',
      recurrentRegularizer: { className: 'L1', config: { l1: 0.5 } },
      biasRegularizer: 'l1',
      biasInitializer: 'ones',
    });
    layer.apply(rand([1, 2, 3, 3, 2], 4));
    const [k, r, b] = layer.regularizationLosses();
    const sumOf = (xs: Iterable<number>, f: (v: number) => number) =>
      [...xs].reduce((s, v) => s + f(v), 0);
    expectClose(k!, [0.01 * sumOf(layer.weights[0]!.data, (v) => v * v)], { rtol: 1e-5 });
    expectClose(r!, [0.5 * sumOf(layer.weights[1]!.data, Math.abs)], { rtol: 1e-5 });
    expectClose(b!, [0.01 * sumOf(layer.weights[2]!.data, Math.abs)], { rtol: 1e-5 });
    const config = layer.getConfig();
    const clone = ConvLSTM2D.fromConfig(JSON.parse(JSON.stringify(config)));
    assert.deepEqual(clone.getConfig(), config);
    assert.deepEqual(new ConvLSTM2D(2, 2).getConfig()['kernelRegularizer'], null);
  });

  it('names the layer and the shapes in its errors', () => {
    assert.throws(
      () => new ConvLSTM2D(2, 3, { name: 'cl' }).apply(rand([2, 3, 4, 4])),
      /ConvLSTM2D 'cl': expected input \(None, steps, height, width, channels\)/,
    );
    assert.throws(
      () => new ConvLSTM2D(2, 3, { dropout: 2 }),
      /ConvLSTM2D: dropout must be a number in \[0, 1\)/,
    );
    const layer = new ConvLSTM2D(2, 3, { padding: 'same', name: 'c2' });
    const x = rand([1, 2, 4, 4, 1]);
    layer.apply(x);
    assert.throws(
      () => layer.apply([x, rand([1, 4, 4, 3]), rand([1, 4, 4, 2])]),
      /ConvLSTM2D 'c2': initial states must be \[1, 4, 4, 2\], got \[1, 4, 4, 3\]/,
    );
  });
});
