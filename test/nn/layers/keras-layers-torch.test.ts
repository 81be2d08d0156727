/**
 * Item-1 layers of issue 20 against PyTorch (fixtures/make_keras_layers.py): activation layers,
 * GroupNormalization, UnitNormalization, UpSampling1D/2D, DepthwiseConv2D, SeparableConv1D/2D,
 * ZeroPadding2D, Cropping2D, RepeatVector and the merge layers, with Keras's configs and weights.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { deserializeLayer } from '../../../src/nn/layers/registry.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose } from '../../helpers.js';
import '../../../src/nn/layers/index.js';
import '../../../src/backends/index.js';

interface Stored {
  shape: number[];
  data: number[];
}
interface Case {
  name: string;
  layer: string;
  config: Record<string, unknown>;
  inputs: Stored[];
  weights: Stored[];
  output: Stored;
}
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/keras-layers.json', import.meta.url), 'utf8'),
) as { cases: Case[] };
const load = (s: Stored): Tensor => tensor(s.data, s.shape);

describe('Keras layers against PyTorch', () => {
  for (const c of fixture.cases) {
    it(c.name, () => {
      const layer = deserializeLayer({ className: c.layer, config: c.config });
      const inputs = c.inputs.map(load);
      const feed = inputs.length === 1 ? inputs[0]! : inputs;
      layer.apply(feed);
      assert.equal(layer.weights.length, c.weights.length, 'number of weights');
      layer.setWeights(c.weights.map(load));
      const y = layer.apply(feed) as Tensor;
      assert.deepEqual([...y.shape], c.output.shape);
      expectClose(y, load(c.output), { atol: 2e-5, rtol: 1e-5 });
    });
  }
});
