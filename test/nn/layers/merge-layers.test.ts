import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as L from '../../../src/nn/layers/index.js';
import { Input } from '../../../src/nn/layers/input-layer.js';
import { tensor } from '../../../src/tensor/create.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../../helpers.js';
import { runLayerTest } from '../layer-test-harness.js';

const a = tensor([
  [1, -2, 3],
  [4, 5, -6],
]);
const b = tensor([
  [0.5, 2, -3],
  [1, 7, 0],
]);
const c = tensor([
  [2, -1, 1],
  [-4, 6, 2],
]);

describe('Subtract, Average, Maximum and Minimum', () => {
  it('combine their inputs elementwise', () => {
    expectClose(new L.Subtract().apply([a, b]) as Tensor, [
      [0.5, -4, 6],
      [3, -2, -6],
    ]);
    expectClose(new L.Average().apply([a, b, c]) as Tensor, [
      [3.5 / 3, -1 / 3, 1 / 3],
      [1 / 3, 6, -4 / 3],
    ]);
    expectClose(new L.Maximum().apply([a, b, c]) as Tensor, [
      [2, 2, 3],
      [4, 7, 2],
    ]);
    expectClose(new L.Minimum().apply([a, b, c]) as Tensor, [
      [0.5, -2, -3],
      [-4, 5, -6],
    ]);
    // A size-1 axis broadcasts, as in Add.
    expectClose(new L.Subtract().apply([a, tensor([[1, 1, 1]])]) as Tensor, [
      [0, -3, 2],
      [3, 4, -7],
    ]);
  });

  it('pass the shared layer checks, two or three inputs, a size-1 axis broadcast', () => {
    for (const Cls of [L.Subtract, L.Average, L.Maximum, L.Minimum]) {
      runLayerTest({
        layer: () => new Cls(),
        inputShape: [
          [3, 4, 5],
          [3, 1, 5],
        ],
        expectedOutputShape: [3, 4, 5],
        expectedNumWeights: 0,
        expectedNumTrainableWeights: 0,
      });
    }
    for (const Cls of [L.Average, L.Maximum, L.Minimum]) {
      runLayerTest({
        layer: () => new Cls(),
        inputShape: [
          [2, 6],
          [2, 6],
          [2, 6],
        ],
        expectedOutputShape: [2, 6],
        expectedNumWeights: 0,
        expectedNumTrainableWeights: 0,
      });
    }
  });

  it('have correct gradients with respect to every input', () => {
    for (const layer of [new L.Subtract(), new L.Average(), new L.Maximum(), new L.Minimum()]) {
      expectGradOk((x, y) => layer.apply([x, y]) as Tensor, [rand([2, 3], 1), rand([2, 3], 2)]);
    }
  });

  it('infer symbolic shapes, round-trip their configs and name the layer in errors', () => {
    const x = Input({ shape: [4] });
    const y = Input({ shape: [4] });
    for (const Cls of [L.Subtract, L.Average, L.Maximum, L.Minimum]) {
      const layer = new Cls({ name: `m_${Cls.className}` });
      assert.deepEqual((layer.apply([x, y]) as typeof x).shape, [null, 4]);
      const clone = L.deserializeLayer(L.serializeLayer(layer));
      assert.equal(clone.constructor, Cls);
      assert.throws(
        () => new Cls().apply([rand([2, 3]), rand([2, 4])]),
        new RegExp(
          `${Cls.className} '.*': inputs must have the same shape \\(or broadcast\\), got \\(2, 3\\), \\(2, 4\\)`,
        ),
      );
    }
    assert.throws(
      () => new L.Subtract({ name: 's' }).apply([a, b, c]),
      /Subtract 's': expects exactly 2 inputs \[a, b\], got 3/,
    );
    assert.throws(
      () => new L.Maximum({ name: 'mx' }).apply(a),
      /Maximum 'mx': expects a list of at least 2 inputs, got a single tensor/,
    );
  });
});
