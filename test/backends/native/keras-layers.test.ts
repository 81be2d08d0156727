/**
 * TS-vs-native conformance of issue 20's item-1 layers whose ops have native kernels: the same
 * layer and weights run on each backend, forward and gradients (input and weights) compared, and
 * the native run must really call native kernels.
 */
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { grad } from '../../../src/autograd/backward.js';
import { listKernels, setBackend, traceKernels } from '../../../src/backends/registry.js';
import type { Layer } from '../../../src/nn/engine/layer.js';
import * as L from '../../../src/nn/layers/index.js';
import { mul, sum } from '../../../src/ops/index.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectNormClose, itNative, randomTensor } from './native-helpers.js';

interface Case {
  name: string;
  make: () => Layer;
  shapes: number[][];
}

const CASES: Case[] = [
  {
    name: 'Conv2DTranspose',
    make: () => new L.Conv2DTranspose(3, 3, { strides: 2, padding: 'same' }),
    shapes: [[2, 5, 4, 3]],
  },
  {
    name: 'Conv1DTranspose',
    make: () => new L.Conv1DTranspose(2, 4, { strides: 3 }),
    shapes: [[2, 5, 3]],
  },
  {
    name: 'SeparableConv2D',
    make: () => new L.SeparableConv2D(4, 3, { depthMultiplier: 2, padding: 'same' }),
    shapes: [[2, 6, 5, 3]],
  },
  {
    name: 'SeparableConv1D',
    make: () => new L.SeparableConv1D(3, 3, { padding: 'causal' }),
    shapes: [[2, 7, 4]],
  },
  {
    name: 'Conv3D',
    make: () => new L.Conv3D(3, 2, { padding: 'same' }),
    shapes: [[2, 4, 4, 3, 2]],
  },
  { name: 'Softmax', make: () => new L.Softmax({ axis: -1 }), shapes: [[3, 4, 7]] },
  {
    name: 'GroupNormalization',
    make: () => new L.GroupNormalization({ groups: 2 }),
    shapes: [[2, 4, 3, 6]],
  },
  {
    name: 'Attention',
    make: () => new L.Attention({ useScale: true }),
    shapes: [
      [2, 3, 4],
      [2, 5, 4],
    ],
  },
  {
    name: 'AdditiveAttention',
    make: () => new L.AdditiveAttention(),
    shapes: [
      [2, 3, 4],
      [2, 5, 4],
    ],
  },
  {
    name: 'RNN(LSTMCell)',
    make: () => new L.RNN(new L.LSTMCell(3), { returnSequences: true }),
    shapes: [[2, 5, 4]],
  },
  {
    name: 'RNN(GRUCell)',
    make: () => new L.RNN(new L.GRUCell(3), { returnSequences: true }),
    shapes: [[2, 5, 4]],
  },
  {
    name: 'RNN(SimpleRNNCell)',
    make: () => new L.RNN(new L.SimpleRNNCell(3)),
    shapes: [[2, 5, 4]],
  },
  {
    name: 'ConvLSTM2D',
    make: () => new L.ConvLSTM2D(2, 3, { padding: 'same' }),
    shapes: [[2, 3, 4, 4, 2]],
  },
];

/** Output, and gradients of sum(output · c) with respect to the inputs and weights. */
function run(
  layer: Layer,
  xs: Tensor[],
  backend: string,
): { tensors: Tensor[]; kernels: Set<string> } {
  setBackend(backend);
  const kernels = new Set<string>();
  try {
    return traceKernels(
      (_k, _i, _o, _a, name) => {
        kernels.add(name);
      },
      () => {
        const inputs = xs.map((x) => {
          const c = x.clone();
          c.requiresGrad = true;
          return c;
        });
        const y = layer.apply(inputs.length === 1 ? inputs[0]! : inputs) as Tensor;
        const c = randomTensor([...y.shape], 99, 0.5, 1.5);
        const grads = grad(sum(mul(y, c)), [...inputs, ...layer.trainableWeights]);
        return { tensors: [y, ...grads.map((g) => g!)], kernels };
      },
    );
  } finally {
    setBackend('native');
  }
}

describe('item-1 layers: TS and native backends agree', () => {
  const nativeKernels = new Set<string>(listKernels('native'));
  for (const c of CASES) {
    itNative(`${c.name}: forward and gradients`, () => {
      const layer = c.make();
      const xs = c.shapes.map((s, i) => randomTensor(s, 7 + i));
      layer.apply(xs.length === 1 ? xs[0]! : xs);
      const ts = run(layer, xs, 'ts');
      const nat = run(layer, xs, 'native');
      const used = [...nat.kernels].filter((k) => nativeKernels.has(k));
      assert.ok(
        used.length > 0,
        `${c.name}: no native kernel ran (${[...nat.kernels].join(', ')})`,
      );
      ts.tensors.forEach((t, i) => {
        expectNormClose(
          nat.tensors[i]!,
          t,
          1e-4,
          `${c.name} ${i === 0 ? 'output' : `gradient ${i}`}`,
        );
      });
    });
  }
});
