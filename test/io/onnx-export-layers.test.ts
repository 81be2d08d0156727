import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Model } from '../../src/models/model.js';
import * as L from '../../src/nn/layers/index.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { setSeed } from '../../src/random/rng.js';
import { randomUniform } from '../../src/random/tensors.js';
import '../../src/backends/index.js';
import { onnxError } from './onnx-helpers.js';

/** Runs the model in Keel and ONNX Runtime on uniform data in [lo, hi); max |difference| <= 1e-4. */
async function expectSameInOnnx(model: Model, shape: number[], lo = -3, hi = 3): Promise<void> {
  const err = await onnxError(model, [randomUniform(shape, lo, hi)]);
  assert.ok(err <= 1e-4, `${model.name}: max error ${err}`);
}

describe('ONNX export of the Keras activation layers', () => {
  it('ReLU (maxValue, negativeSlope, threshold), LeakyReLU, PReLU, ELU and Softmax match', async () => {
    setSeed(3);
    const x = Input({ shape: [4, 5, 3] });
    const branches = [
      new L.ReLU({ maxValue: 6 }),
      new L.ReLU({ maxValue: 2, negativeSlope: 0.1, threshold: 0.5 }),
      new L.ReLU({ negativeSlope: 0.2 }),
      new L.LeakyReLU(),
      new L.PReLU({ sharedAxes: [1, 2], alphaInitializer: 'randomUniform' }),
      new L.PReLU({ alphaInitializer: 'randomUniform' }),
      new L.ELU({ alpha: 0.7 }),
      new L.Softmax({ axis: 2 }),
      new L.Softmax({ axis: [1, 2] }),
    ].map((layer) => layer.apply(x));
    const model = new Model({ inputs: x, outputs: new L.Concatenate().apply(branches) });
    await expectSameInOnnx(model, [2, 4, 5, 3], -8, 8);
  });
});
