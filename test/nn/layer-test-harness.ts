/**
 * The shared checks every layer passes (Keras's testing/test_case.py `run_layer_test`): output
 * shape of `call` and of `computeOutputShape`, weight counts and shapes, the config round trip
 * through the layer registry, save and load inside a functional model whose input has None dims
 * (bit-identical predictions), and one hand-written SGD step on sum(output²).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { grad } from '../../src/autograd/backward.js';
import { noGrad } from '../../src/autograd/tape.js';
import { loadModel } from '../../src/io/keel-format/model-file.js';
import { Model } from '../../src/models/model.js';
import type { CallArgs, Layer } from '../../src/nn/engine/layer.js';
import type { SymbolicTensor } from '../../src/nn/engine/symbolic-tensor.js';
import { Input } from '../../src/nn/layers/input-layer.js';
import { deserializeLayer, serializeLayer } from '../../src/nn/layers/registry.js';
import { mul, square, sub, sum } from '../../src/ops/index.js';
import { Rng } from '../../src/random/rng.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import { expectClose, expectGradOk, rand } from '../helpers.js';

export interface LayerTestSpec {
  /** Makes the layer under test (unbuilt). */
  layer: () => Layer;
  /** The concrete input shape, batch axis included; a list of shapes for a layer of several inputs. */
  inputShape: number[] | number[][];
  /** The input(s) to use instead of uniform values in [-1, 1). */
  input?: Tensor | Tensor[];
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
   * Axes other than the batch left None in the functional model of the save/load check (e.g. [1]
   * for a free number of steps); the batch axis is always None there.
   */
  noneAxes?: number[];
  /**
   * False for lookups and encodings of integer inputs (CategoryEncoding, IntegerLookup), which
   * have no gradient: the training step is skipped.
   */
  differentiable?: boolean;
}

const saveDir = mkdtempSync(join(tmpdir(), 'keel-layer-test-'));
after(() => rmSync(saveDir, { recursive: true, force: true }));
let saves = 0;

/**
 * The layer inside a functional model with None dims (batch and `noneAxes`): the symbolic output
 * shape, then save and load: the same config, weights and predictions, bit for bit.
 */
function expectSaveLoad(layer: Layer, xs: Tensor[], spec: LayerTestSpec): void {
  const free = new Set([0, ...(spec.noneAxes ?? [])]);
  const inputs = xs.map((x) =>
    Input({ batchShape: x.shape.map((d, i) => (free.has(i) ? null : d)) }),
  );
  const clone = deserializeLayer(JSON.parse(JSON.stringify(serializeLayer(layer))));
  const out = (
    inputs.length === 1 ? clone.apply(inputs[0]!) : clone.apply(inputs)
  ) as SymbolicTensor;
  const want = spec.expectedOutputShape.map((d, i) => (i === 0 ? null : d));
  // With free steps the output may keep them free; every known size must be the expected one.
  const got = [...out.shape];
  if (spec.noneAxes === undefined) assert.deepEqual(got, want, 'symbolic output shape');
  else
    assert.ok(
      got.length === want.length && got.every((d, i) => d === null || d === want[i]),
      `symbolic output shape with None dims: [${got}] against [${want}]`,
    );
  clone.setWeights(layer.getWeights());
  const model = new Model({ inputs, outputs: out });
  const path = join(saveDir, `layer-${saves++}.keel`);
  model.save(path);
  const loaded = loadModel(path);
  assert.deepEqual(
    loaded.weights.map((w) => [...w.data]),
    model.weights.map((w) => [...w.data]),
    'loaded weights',
  );
  const feed = xs.length === 1 ? xs[0]! : xs;
  const a = loaded.predict(feed) as Tensor;
  const b = model.predict(feed) as Tensor;
  assert.deepEqual([...a.shape], spec.expectedOutputShape, 'loaded output shape');
  assert.deepEqual([...a.data], [...b.data], 'loaded predictions, bit for bit');
  expectClose(b, layer.apply(feed) as Tensor, { atol: 1e-6 });
}

/** Runs every shared check on one layer; returns the built layer for further checks. */
export function runLayerTest(spec: LayerTestSpec): Layer {
  const multi = Array.isArray(spec.inputShape[0]);
  const shapes = (multi ? spec.inputShape : [spec.inputShape]) as number[][];
  const given = spec.input === undefined ? undefined : [spec.input].flat();
  const xs = given ?? shapes.map((s, i) => rand(s, 11 + i));
  xs.forEach((x, i) => {
    assert.deepEqual([...x.shape], shapes[i], 'input shape');
  });
  const x = multi ? xs : xs[0]!;
  const layer = spec.layer();

  // Output shape of call, and of computeOutputShape with a free and with a concrete batch.
  const y = layer.apply(x) as Tensor;
  assert.deepEqual([...y.shape], spec.expectedOutputShape, 'output shape of call');
  const free = shapes.map((s) => [null, ...s.slice(1)]);
  const symbolic = layer.computeOutputShape(multi ? free : free[0]!);
  assert.deepEqual(symbolic, [null, ...spec.expectedOutputShape.slice(1)], 'computeOutputShape');
  assert.deepEqual(layer.computeOutputShape(multi ? shapes : shapes[0]!), spec.expectedOutputShape);

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
  expectClose(clone.apply(x) as Tensor, layer.apply(x) as Tensor, { atol: 1e-6 });

  // Save and load inside a model whose input has None dims.
  expectSaveLoad(layer, xs, spec);

  // One training step on sum(output²): finite, nonzero gradients, and the loss goes down.
  const args = spec.trainingArgs ?? {};
  const lossOf = (): Tensor => sum(square(layer.apply(x, args) as Tensor));
  const weights = layer.trainableWeights;
  if (spec.differentiable === false) {
    assert.equal(weights.length, 0, 'a non-differentiable layer has no trainable weights');
    return layer;
  }
  if (weights.length === 0) {
    const inputs = xs.map((t) => {
      const c = t.clone();
      c.requiresGrad = true;
      return c;
    });
    const out = layer.apply(multi ? inputs : inputs[0]!, args) as Tensor;
    const gs = grad(sum(square(out)), inputs);
    gs.forEach((gx, i) => {
      assert.ok(gx, `gradient reaches input ${i}`);
      assert.ok([...gx.data].every(Number.isFinite), `gradient of input ${i} is finite`);
    });
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
