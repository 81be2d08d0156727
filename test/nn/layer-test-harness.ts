/**
 * The shared checks every layer passes (Keras's testing/test_case.py `run_layer_test`): output
 * shape of `call` and of `computeOutputShape`, weight counts and shapes, the config round trip
 * through the layer registry, and one hand-written SGD step on sum(output²).
 */
import assert from 'node:assert/strict';
import { grad } from '../../src/autograd/backward.js';
import { noGrad } from '../../src/autograd/tape.js';
import type { CallArgs, Layer } from '../../src/nn/engine/layer.js';
import { deserializeLayer, serializeLayer } from '../../src/nn/layers/registry.js';
import { mul, square, sub, sum } from '../../src/ops/index.js';
import { Rng } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

export interface LayerTestSpec {
  /** Makes the layer under test (unbuilt). */
  layer: () => Layer;
  /** The concrete input shape, batch axis included. */
  inputShape: number[];
  /** The input to use instead of uniform values in [-1, 1). */
  input?: Tensor;
  expectedOutputShape: number[];
  expectedNumWeights: number;
  expectedNumTrainableWeights: number;
  /** Shapes of `layer.weights`, in order. */
  expectedWeightShapes?: number[][];
  /** Call arguments of the training step (default: inference mode). */
  trainingArgs?: CallArgs;
  /** Step size of the hand-written SGD step (default 0.01). */
  learningRate?: number;
  /**
   * False for lookups and encodings of integer inputs (CategoryEncoding, IntegerLookup), which
   * have no gradient: the training step is skipped.
   */
  differentiable?: boolean;
}

/** Runs every shared check on one layer; returns the built layer for further checks. */
export function runLayerTest(spec: LayerTestSpec): Layer {
  const x = spec.input ?? rand(spec.inputShape, 11);
  assert.deepEqual([...x.shape], spec.inputShape, 'input shape');
  const layer = spec.layer();

  // Output shape of call, and of computeOutputShape with a free and with a concrete batch.
  const y = layer.apply(x);
  assert.deepEqual([...y.shape], spec.expectedOutputShape, 'output shape of call');
  const symbolic = layer.computeOutputShape([null, ...spec.inputShape.slice(1)]);
  assert.deepEqual(symbolic, [null, ...spec.expectedOutputShape.slice(1)], 'computeOutputShape');
  assert.deepEqual(layer.computeOutputShape(spec.inputShape), spec.expectedOutputShape);

  // Weights.
  assert.equal(layer.weights.length, spec.expectedNumWeights, 'number of weights');
  assert.equal(
    layer.trainableWeights.length,
    spec.expectedNumTrainableWeights,
    'number of trainable weights',
  );
  assert.equal(
    layer.nonTrainableWeights.length,
    spec.expectedNumWeights - spec.expectedNumTrainableWeights,
    'number of non-trainable weights',
  );
  if (spec.expectedWeightShapes) {
    assert.deepEqual(
      layer.weights.map((w) => [...w.shape]),
      spec.expectedWeightShapes,
      'weight shapes',
    );
  }

  // Config round trip: JSON-serializable, same config, same outputs with the same weights.
  const config = layer.getConfig();
  const serialized = JSON.parse(JSON.stringify(serializeLayer(layer)));
  assert.deepEqual(serialized.config, JSON.parse(JSON.stringify(config)), 'config is JSON data');
  const clone = deserializeLayer(serialized);
  assert.equal(clone.constructor, layer.constructor, 'fromConfig gives the same class');
  assert.deepEqual(
    JSON.parse(JSON.stringify(clone.getConfig())),
    serialized.config,
    'getConfig after fromConfig',
  );
  clone.apply(x);
  clone.setWeights(layer.getWeights());
  expectClose(clone.apply(x), layer.apply(x), { atol: 1e-6 });

  // One training step on sum(output²): finite, nonzero gradients, and the loss goes down.
  const args = spec.trainingArgs ?? {};
  const lossOf = (): Tensor => sum(square(layer.apply(x, args)));
  const weights = layer.trainableWeights;
  if (spec.differentiable === false) {
    assert.equal(weights.length, 0, 'a non-differentiable layer has no trainable weights');
    return layer;
  }
  if (weights.length === 0) {
    const xs = x.clone();
    xs.requiresGrad = true;
    const [gx] = grad(sum(square(layer.apply(xs, args))), [xs]);
    assert.ok(gx, 'gradient reaches the input');
    assert.ok([...gx.data].every(Number.isFinite), 'input gradient is finite');
    return layer;
  }
  const before = lossOf();
  const grads = grad(before, weights);
  grads.forEach((g, i) => {
    const name = weights[i]!.name;
    assert.ok(g, `gradient of ${name} exists`);
    assert.ok([...g.data].every(Number.isFinite), `gradient of ${name} is finite`);
    assert.ok(
      [...g.data].some((v) => v !== 0),
      `gradient of ${name} is nonzero`,
    );
  });
  const lr = spec.learningRate ?? 0.01;
  noGrad(() => {
    for (const [i, w] of weights.entries()) w.assign(sub(w, mul(grads[i]!, lr)));
  });
  const after = noGrad(lossOf);
  assert.ok(
    after.item() < before.item(),
    `an SGD step lowers sum(output²): ${before.item()} -> ${after.item()}`,
  );
  return layer;
}

export interface LayerGradOptions {
  callArgs?: CallArgs;
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Elements checked per tensor (sampled when larger). */
  maxElements?: number;
}

/**
 * Finite-difference check of a layer's gradients with respect to its input and to each trainable
 * weight, if any (perturbed in place), the output contracted with fixed random coefficients.
 */
export function expectLayerGradOk(layer: Layer, x: Tensor, options: LayerGradOptions = {}): void {
  const { callArgs = {}, eps = 1e-2, atol = 1e-3, rtol = 1e-2, maxElements = 60 } = options;
  const y0 = layer.apply(x, callArgs);
  expectGradOk((xi) => layer.apply(xi, callArgs), [x], { eps, atol, rtol, maxElements });
  const rng = new Rng(5);
  const coef = Float64Array.from({ length: y0.size }, () => 0.5 + rng.uniform());
  const contract = (y: Tensor): number => {
    let s = 0;
    for (let i = 0; i < y.size; i++) s += coef[i]! * y.data[i]!;
    return s;
  };
  const weights = layer.trainableWeights;
  if (weights.length === 0) return;
  const yw = layer.apply(x, callArgs);
  const coefTensor = tensor(Float32Array.from(coef), yw.shape);
  const analytic = grad(sum(mul(yw, coefTensor)), weights);
  noGrad(() => {
    weights.forEach((w, k) => {
      const g = analytic[k];
      const n = Math.min(w.size, maxElements);
      for (let j = 0; j < n; j++) {
        const i = w.size <= maxElements ? j : rng.int(w.size);
        const saved = w.data[i]!;
        w.data[i] = saved + eps;
        const plus = contract(layer.apply(x, callArgs));
        w.data[i] = saved - eps;
        const minus = contract(layer.apply(x, callArgs));
        w.data[i] = saved;
        const numeric = (plus - minus) / (2 * eps);
        const a = g ? g.data[i]! : 0;
        assert.ok(
          Math.abs(a - numeric) <= atol + rtol * Math.abs(numeric),
          `${w.name} element ${i}: analytic ${a}, numeric ${numeric}`,
        );
      }
    });
  });
}
