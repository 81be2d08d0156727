import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import '../../../src/backends/index.js';
import { loadModel } from '../../../src/io/keel-format/model-file.js';
import { Sequential } from '../../../src/models/sequential.js';
import { withCustomObjects } from '../../../src/nn/engine/custom-objects.js';
import type { LayerInput } from '../../../src/nn/engine/layer.js';
import { Dense } from '../../../src/nn/layers/dense.js';
import { Lambda } from '../../../src/nn/layers/lambda.js';
import { deserializeLayer, serializeLayer } from '../../../src/nn/layers/registry.js';
import { mul, sigmoid, slice, sum } from '../../../src/ops/index.js';
import type { Tensor } from '../../../src/tensor/tensor.js';
import { expectClose, rand } from '../../helpers.js';
import { expectLayerGradOk, runLayerTest } from '../layer-test-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-lambda-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** x · sigmoid(x), written with public ops. */
function swish(x: LayerInput): Tensor {
  const t = x as Tensor;
  return mul(t, sigmoid(t));
}
const firstTwo = (x: LayerInput) => slice(x as Tensor, [0, 0], [-1, 2]);

describe('Lambda', () => {
  it('layer checks with the function re-supplied, values, gradient', () => {
    withCustomObjects({ swish }, () =>
      runLayerTest({
        layer: () => new Lambda(swish),
        inputShape: [3, 4],
        expectedOutputShape: [3, 4],
        expectedNumWeights: 0,
        expectedNumTrainableWeights: 0,
      }),
    );
    const x = rand([2, 3], 4);
    const y = new Lambda(swish).apply(x) as Tensor;
    expectClose(y, mul(x, sigmoid(x)));
    expectLayerGradOk(new Lambda(swish), x);
  });

  it('outputShape: a shape without the batch axis, a function, or inferred', () => {
    assert.deepEqual(new Lambda(firstTwo, { outputShape: [2] }).computeOutputShape([null, 5]), [
      null,
      2,
    ]);
    const f = new Lambda(firstTwo, { outputShape: (s) => [(s as number[])[0]!, 2] });
    assert.deepEqual(f.computeOutputShape([7, 5]), [7, 2]);
    assert.deepEqual(new Lambda(firstTwo).computeOutputShape([null, 5]), [null, 2]);
    assert.deepEqual(new Lambda((x) => sum(x as Tensor, 1)).computeOutputShape([null, 5, 3]), [
      null,
      3,
    ]);
  });

  it('trains inside a model; a saved model loads only with the function given back', async () => {
    const model = new Sequential([
      new Dense(4, { inputShape: [3] }),
      new Lambda(swish, { name: 'act' }),
      new Dense(1),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = rand([16, 3], 1);
    const yTrue = rand([16, 1], 2);
    const before = (await model.evaluate(x, yTrue, { verbose: 0 })) as number;
    for (let i = 0; i < 5; i++) model.trainOnBatch(x, yTrue);
    const afterLoss = (await model.evaluate(x, yTrue, { verbose: 0 })) as number;
    assert.ok(afterLoss < before, `loss goes down through the Lambda: ${before} -> ${afterLoss}`);
    const want = model.predict(x) as Tensor;
    const file = join(dir, 'lambda.keel');
    model.save(file);
    assert.throws(
      () => loadModel(file),
      /Lambda 'act': the layer runs code a model file does not hold \(function "swish"\); pass it back by name: loadModel\(path, \{customObjects: \{swish\}\}\)/,
    );
    const loaded = loadModel(file, { customObjects: { swish } });
    expectClose(loaded.predict(x) as Tensor, want, { atol: 1e-6 });
  });

  it('refuses anonymous functions on load and non-functions at construction', () => {
    const anonymous = new Lambda((x) => mul(x as Tensor, 2), { name: 'anon' });
    assert.throws(
      () => deserializeLayer(serializeLayer(anonymous)),
      /Lambda 'anon': .*function null.*anonymous/,
    );
    assert.throws(
      () => new Lambda(3 as never, { name: 'bad' }),
      /Lambda 'bad': expected a function/,
    );
  });
});
