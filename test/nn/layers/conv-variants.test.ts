import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tfjsToKeel } from '../../../src/io/tfjs/convert-config.js';
import type { SerializedObject } from '../../../src/nn/engine/serialization.js';
import * as L from '../../../src/nn/layers/index.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { add, conv1d, conv2d, depthwiseConv2d, relu } from '../../../src/ops/index.js';
import { tensor } from '../../../src/tensor/create.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

const fromKeras = (className: string, config: Record<string, unknown>) =>
  L.deserializeLayer(tfjsToKeel({ class_name: className, config }) as SerializedObject);

describe('DepthwiseConv2D', () => {
  it('passes the shared layer checks with kernel [kh, kw, in, m] and bias [in·m]', () => {
    runLayerTest({
      layer: () => new L.DepthwiseConv2D(3, { depthMultiplier: 2, activation: 'tanh' }),
      inputShape: [2, 5, 5, 3],
      input: rand([2, 5, 5, 3], 3, -0.5, 0.5),
      expectedOutputShape: [2, 3, 3, 6],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
      expectedWeightShapes: [[3, 3, 3, 2], [6]],
    });
    runLayerTest({
      layer: () => new L.DepthwiseConv2D([3, 2], { strides: 2, padding: 'same', useBias: false }),
      inputShape: [1, 5, 4, 2],
      expectedOutputShape: [1, 3, 2, 2],
      expectedNumWeights: 1,
      expectedNumTrainableWeights: 1,
    });
  });

  it('matches ops.depthwiseConv2d plus bias and activation, and has correct gradients', () => {
    const layer = new L.DepthwiseConv2D(3, {
      padding: 'same',
      activation: 'relu',
      biasInitializer: 'randomNormal',
    });
    const x = rand([2, 4, 5, 3], 1);
    layer.apply(x);
    const [k, b] = layer.weights;
    expectClose(layer.apply(x), relu(add(depthwiseConv2d(x, k!, { padding: 'same' }), b!)), {
      atol: 1e-6,
    });
    expectLayerGradOk(
      new L.DepthwiseConv2D(2, {
        depthMultiplier: 2,
        biasInitializer: 'randomNormal',
        dilationRate: 2,
      }),
      rand([1, 4, 4, 2], 2),
    );
  });

  it('loads a Keras config and names the layer and shapes in errors', () => {
    const layer = fromKeras('DepthwiseConv2D', {
      kernel_size: [3, 3],
      strides: [1, 1],
      padding: 'same',
      depth_multiplier: 1,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'linear',
      use_bias: false,
      depthwise_initializer: { class_name: 'GlorotUniform', config: {} },
      name: 'dw',
    }) as L.DepthwiseConv2D;
    assert.deepEqual([layer.kernelSize, layer.padding, layer.useBias], [[3, 3], 'same', false]);
    assert.deepEqual(layer.apply(Input({ shape: [8, 8, 4] })).shape, [null, 8, 8, 4]);
    assert.equal(layer.weights[0]!.name, 'dw/kernel');
    assert.throws(
      () => new L.DepthwiseConv2D(3, { depthMultiplier: 0 }),
      /DepthwiseConv2D: depthMultiplier must be a positive integer, got 0/,
    );
    assert.throws(
      () => new L.DepthwiseConv2D(3, { padding: 'causal' as 'same' }),
      /DepthwiseConv2D: padding must be 'valid' or 'same'/,
    );
    const d = new L.DepthwiseConv2D(3, { name: 'd' });
    d.apply(rand([1, 5, 5, 2]));
    assert.throws(
      () => d.apply(rand([1, 5, 5, 3])),
      /DepthwiseConv2D 'd': expected input \(None, height, width, 2\), got \(1, 5, 5, 3\)/,
    );
    assert.throws(
      () => new L.DepthwiseConv2D(3, { name: 'e' }).apply(rand([1, 2, 5, 1])),
      /DepthwiseConv2D 'e': input \(1, 2, 5, 1\) is too small for kernelSize \[3,3\]/,
    );
  });
});

describe('SeparableConv1D/2D', () => {
  it('pass the shared layer checks with Keras’s weights depthwise, pointwise, bias', () => {
    runLayerTest({
      layer: () => new L.SeparableConv2D(4, 3, { depthMultiplier: 2, padding: 'same' }),
      inputShape: [2, 4, 4, 3],
      expectedOutputShape: [2, 4, 4, 4],
      expectedNumWeights: 3,
      expectedNumTrainableWeights: 3,
      expectedWeightShapes: [[3, 3, 3, 2], [1, 1, 6, 4], [4]],
    });
    runLayerTest({
      layer: () => new L.SeparableConv1D(3, 3, { padding: 'causal', dilationRate: 2 }),
      inputShape: [2, 7, 2],
      expectedOutputShape: [2, 7, 3],
      expectedNumWeights: 3,
      expectedNumTrainableWeights: 3,
      expectedWeightShapes: [[3, 2, 1], [1, 2, 3], [3]],
    });
  });

  it('equal a depthwise then a pointwise convolution', () => {
    const layer = new L.SeparableConv2D(5, [3, 2], {
      strides: [2, 1],
      biasInitializer: 'randomNormal',
    });
    const x = rand([2, 7, 5, 3], 4);
    layer.apply(x);
    const [dk, pk, b] = layer.weights;
    const want = add(conv2d(depthwiseConv2d(x, dk!, { strides: [2, 1] }), pk!), b!);
    expectClose(layer.apply(x), want, { atol: 1e-5 });
    const l1 = new L.SeparableConv1D(2, 3, { padding: 'causal', useBias: false });
    const x1 = rand([1, 6, 2], 5);
    l1.apply(x1);
    const [d1, p1] = l1.weights;
    // Depthwise with multiplier 1 on 2 channels = conv1d with a diagonal filter.
    const diag = tensor(
      [...d1!.data].flatMap((v, i) => (i % 2 === 0 ? [v, 0] : [0, v])),
      [3, 2, 2],
    );
    expectClose(l1.apply(x1), conv1d(conv1d(x1, diag, { padding: 'causal' }), p1!), { atol: 1e-5 });
  });

  it('have correct gradients and load Keras configs', () => {
    expectLayerGradOk(
      new L.SeparableConv2D(2, 2, { depthMultiplier: 2, biasInitializer: 'randomNormal' }),
      rand([1, 3, 4, 2], 6),
    );
    expectLayerGradOk(new L.SeparableConv1D(2, 2, { strides: 2 }), rand([2, 5, 2], 7));
    const k = fromKeras('SeparableConv2D', {
      filters: 8,
      kernel_size: [3, 3],
      padding: 'same',
      depth_multiplier: 1,
      pointwise_initializer: { class_name: 'GlorotUniform', config: {} },
      name: 'sep',
    }) as L.SeparableConv2D;
    k.apply(rand([1, 4, 4, 3]));
    assert.deepEqual(
      k.weights.map((w) => w.name),
      ['sep/depthwise_kernel', 'sep/pointwise_kernel', 'sep/bias'],
    );
    assert.throws(
      () => new L.SeparableConv2D(0, 3),
      /SeparableConv2D: filters must be a positive integer, got 0/,
    );
  });
});

interface Fixture {
  x: number[];
  kernelSize: number[];
  filters: number;
  strides: number[];
  padding: 'valid' | 'same';
  outputPadding: number[] | null;
  dilationRate: number[];
  shape: number[];
  y: number[];
}

const seq = (n: number, f: (i: number) => number) =>
  Float32Array.from({ length: n }, (_, i) => f(i));
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

describe('Conv2DTranspose and Conv1DTranspose', () => {
  it("match Keras's results (JAX rule, computed with PyTorch) for strides, padding, outputPadding and dilation", () => {
    const cases = JSON.parse(
      readFileSync(new URL('fixtures/conv-transpose.json', import.meta.url), 'utf8'),
    ) as Fixture[];
    for (const c of cases) {
      const Cls = c.kernelSize.length === 2 ? L.Conv2DTranspose : L.Conv1DTranspose;
      const layer = new Cls(c.filters, c.kernelSize, {
        strides: c.strides,
        padding: c.padding,
        outputPadding: c.outputPadding,
        dilationRate: c.dilationRate,
        useBias: false,
      });
      const x = tensor(
        seq(size(c.x), (i) => Math.sin(0.37 * i)),
        c.x,
      );
      layer.apply(x);
      const kshape = layer.weights[0]!.shape;
      assert.deepEqual(
        kshape,
        [...c.kernelSize, c.filters, c.x.at(-1)!],
        'kernel [...k, filters, in]',
      );
      layer.setWeights([
        tensor(
          seq(size([...kshape]), (i) => 0.5 * Math.cos(0.21 * i)),
          kshape,
        ),
      ]);
      const y = layer.apply(x);
      assert.deepEqual(y.shape, c.shape, JSON.stringify(c));
      assert.deepEqual(layer.computeOutputShape([null, ...c.x.slice(1)]), [
        null,
        ...c.shape.slice(1),
      ]);
      expectClose(y, c.y, { atol: 1e-5 });
    }
  });

  it('pass the shared layer checks', () => {
    runLayerTest({
      layer: () => new L.Conv2DTranspose(3, 3, { strides: 2, padding: 'same', activation: 'tanh' }),
      inputShape: [2, 3, 4, 2],
      input: rand([2, 3, 4, 2], 8, -0.5, 0.5),
      expectedOutputShape: [2, 6, 8, 3],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
      expectedWeightShapes: [[3, 3, 3, 2], [3]],
    });
    runLayerTest({
      layer: () => new L.Conv1DTranspose(2, 4, { strides: 3, outputPadding: 2 }),
      inputShape: [2, 3, 2],
      expectedOutputShape: [2, 12, 2],
      expectedNumWeights: 2,
      expectedNumTrainableWeights: 2,
    });
  });

  it('have correct gradients with respect to input, kernel and bias', () => {
    expectLayerGradOk(
      new L.Conv2DTranspose(2, [3, 2], {
        strides: [2, 1],
        padding: 'same',
        biasInitializer: 'randomNormal',
      }),
      rand([1, 3, 3, 2], 9),
    );
    expectLayerGradOk(
      new L.Conv1DTranspose(2, 3, { strides: 2, biasInitializer: 'randomNormal' }),
      rand([2, 3, 2], 10),
    );
  });

  it('keep unknown sizes, load Keras configs and name the layer in errors', () => {
    assert.deepEqual(
      new L.Conv2DTranspose(4, 3, { strides: 2, padding: 'same' }).computeOutputShape([
        null,
        null,
        5,
        2,
      ]),
      [null, null, 10, 4],
    );
    const k = fromKeras('Conv2DTranspose', {
      filters: 4,
      kernel_size: [2, 2],
      strides: [2, 2],
      padding: 'valid',
      output_padding: null,
      data_format: 'channels_last',
      dilation_rate: [1, 1],
      activation: 'relu',
      use_bias: true,
      name: 'up',
    }) as L.Conv2DTranspose;
    assert.deepEqual(k.apply(Input({ shape: [7, 7, 8] })).shape, [null, 14, 14, 4]);
    assert.deepEqual(
      k.weights.map((w) => [...w.shape]),
      [[2, 2, 4, 8], [4]],
    );
    assert.throws(
      () => new L.Conv2DTranspose(4, 3, { strides: 2, outputPadding: 2 }),
      /Conv2DTranspose: outputPadding must be 2 integers >= 0 and below the stride \(\[2,2\]\), got 2/,
    );
    const t = new L.Conv1DTranspose(2, 3, { name: 't' });
    t.apply(rand([1, 4, 3]));
    assert.throws(
      () => t.apply(rand([1, 4, 2])),
      /Conv1DTranspose 't': expected input \(None, steps, 3\), got \(1, 4, 2\)/,
    );
  });
});
