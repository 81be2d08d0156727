import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FakeQuantize } from '../../../src/nn/layers/fake-quantize.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { runLayerTest } from '../layer-test-harness.js';

describe('FakeQuantize', () => {
  it('passes the shared layer checks', () => {
    runLayerTest({
      layer: () => new FakeQuantize({ scale: 0.1, zeroPoint: 3 }),
      inputShape: [2, 3, 5],
      expectedOutputShape: [2, 3, 5],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
    });
  });

  it('rounds half to even onto the grid and saturates (ONNX QuantizeLinear + DequantizeLinear)', () => {
    const x = tensor([0.25, 0.35, -0.05, 100, -100, 0.149], [1, 6]);
    const y = new FakeQuantize({ scale: 0.1, zeroPoint: 128 }).apply(x) as Tensor;
    // q = round(x / 0.1) + 128 in [0, 255]: 2 (0.25 → 2.5 → 2), 4 (3.5 → 4), 0 (−0.5 → −0), 127, −128, 1
    const want = [0.2, 0.4, 0, 12.7, -12.8, 0.1];
    for (const [i, v] of Array.from(y.data).entries())
      assert.ok(Math.abs(v - want[i]!) < 1e-6, `${i}: ${v}`);
    const s = new FakeQuantize({ scale: 1, zeroPoint: 0, quantMin: -128, quantMax: 127 });
    assert.deepEqual(
      Array.from((s.apply(tensor([200, -200], [1, 2])) as Tensor).data),
      [127, -128],
    );
  });

  it('names the layer and the argument in errors', () => {
    assert.throws(() => new FakeQuantize({ scale: 0, zeroPoint: 0 }), /FakeQuantize: scale/);
    assert.throws(() => new FakeQuantize({ scale: 1, zeroPoint: 300 }), /FakeQuantize: zeroPoint/);
    assert.throws(
      () => new FakeQuantize({ scale: 1, zeroPoint: 0, quantMin: 5, quantMax: 5 }),
      /FakeQuantize: expected integers quantMin < quantMax/,
    );
  });
});
