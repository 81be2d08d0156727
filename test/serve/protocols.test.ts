/**
 * The serving protocols checked field by field: TF Serving's documented curl requests
 * (https://www.tensorflow.org/tfx/serving/api_rest, half_plus_two) and the Open Inference
 * Protocol (KServe v2) requests and responses.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Model } from '../../src/models/model.js';
import type { KeelServer } from '../../src/serve/server.js';
import { tensor } from '../../src/tensor/create.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import {
  bearer,
  call,
  saveHalfPlusTwo,
  saveMlp,
  saveTwoInOut,
  tempDir,
  testServer,
} from './helpers.js';

const { dir, cleanup } = tempDir();
const models = join(dir, 'models');
let server: KeelServer;
let key: string;
let mlp: Model;
let two: Model;
// What `curl -d '...'` sends: TF Serving reads it as JSON whatever the content type says.
const curlForm = (key: string) => ({
  ...bearer(key),
  'content-type': 'application/x-www-form-urlencoded',
});

before(async () => {
  saveHalfPlusTwo(models, 1);
  saveHalfPlusTwo(models, 2, 1);
  writeFileSync(
    join(models, 'half_plus_two', 'serving.json'),
    JSON.stringify({ versionPolicy: 'all', labels: { stable: 1, canary: 2 } }),
  );
  mlp = saveMlp(models);
  two = saveTwoInOut(models);
  server = await testServer(dir);
  key = server.store.createKey('acme').key;
});
after(async () => {
  await server.close();
  cleanup();
});

const values = (t: Tensor | Tensor[]) => Array.from((t as Tensor).data);
const close = (got: number[], want: number[]) => {
  assert.equal(got.length, want.length);
  for (let i = 0; i < got.length; i++)
    assert.ok(Math.abs(got[i]! - want[i]!) < 1e-5, `${got[i]} vs ${want[i]} at ${i}`);
};

describe('TF Serving REST API', () => {
  it('GET /v1/models/{name}: the status of every served version', async () => {
    const r = await call(server.url, 'GET', '/v1/models/half_plus_two');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, {
      model_version_status: [
        { version: '2', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
    const one = await call(server.url, 'GET', '/v1/models/half_plus_two/versions/1');
    assert.deepEqual(one.body, {
      model_version_status: [
        { version: '1', state: 'AVAILABLE', status: { error_code: 'OK', error_message: '' } },
      ],
    });
  });

  it('GET .../metadata: the serving_default signature with dtypes and shapes', async () => {
    const r = await call(server.url, 'GET', '/v1/models/half_plus_two/versions/1/metadata');
    assert.equal(r.status, 200);
    const body = r.body as Record<string, any>;
    assert.deepEqual(body['model_spec'], {
      name: 'half_plus_two',
      signature_name: '',
      version: '1',
    });
    const sig = body['metadata'].signature_def.signature_def.serving_default;
    assert.equal(sig.method_name, 'tensorflow/serving/predict');
    assert.deepEqual(sig.inputs.x, {
      dtype: 'DT_FLOAT',
      tensor_shape: { dim: [{ size: '-1', name: '' }], unknown_rank: false },
      name: 'serving_default_x:0',
    });
    const outputs = Object.values(sig.outputs) as { dtype: string; tensor_shape: unknown }[];
    assert.equal(outputs.length, 1);
    assert.equal(outputs[0]!.dtype, 'DT_FLOAT');
    assert.deepEqual(outputs[0]!.tensor_shape, {
      dim: [{ size: '-1', name: '' }],
      unknown_rank: false,
    });
  });

  it('POST :predict with the documented row-format request', async () => {
    // curl -d '{"instances": [1.0, 2.0, 5.0]}' -X POST http://localhost:8501/v1/models/half_plus_two:predict
    const r = await call(
      server.url,
      'POST',
      '/v1/models/half_plus_two/versions/1:predict',
      '{"instances": [1.0, 2.0, 5.0]}',
      curlForm(key),
    );
    assert.equal(r.status, 200);
    assert.deepEqual(r.body, { predictions: [2.5, 3.0, 4.5] });
  });

  it('POST :predict with the columnar format, by version, by label and the latest version', async () => {
    const columnar = await call(
      server.url,
      'POST',
      '/v1/models/half_plus_two/labels/stable:predict',
      { inputs: [1.0, 2.0, 5.0] },
      bearer(key),
    );
    assert.deepEqual(columnar.body, { outputs: [2.5, 3.0, 4.5] });
    const canary = await call(
      server.url,
      'POST',
      '/v1/models/half_plus_two/labels/canary:predict',
      { instances: [1.0] },
      bearer(key),
    );
    assert.deepEqual(canary.body, { predictions: [3] }); // version 2: y = x + 2
    const latest = await call(
      server.url,
      'POST',
      '/v1/models/half_plus_two:predict',
      { signature_name: 'serving_default', instances: [2.0] },
      bearer(key),
    );
    assert.deepEqual(latest.body, { predictions: [4] });
  });

  it('answers several inputs and outputs by name in both formats', async () => {
    const a = [
      [1, 2],
      [3, 4],
    ];
    const b = [
      [1, 0, -1],
      [2, 2, 2],
    ];
    const want = two.predict([
      tensor(new Float32Array(a.flat()), [2, 2]),
      tensor(new Float32Array(b.flat()), [2, 3]),
    ]) as Tensor[];
    const rows = await call(
      server.url,
      'POST',
      '/v1/models/two:predict',
      {
        instances: [
          { a: a[0], b: b[0] },
          { a: a[1], b: b[1] },
        ],
      },
      bearer(key),
    );
    assert.equal(rows.status, 200);
    const predictions = (rows.body as { predictions: { sum: number[]; diff: number[] }[] })
      .predictions;
    assert.equal(predictions.length, 2);
    close(
      predictions.flatMap((p) => p.sum),
      values(want[0]!),
    );
    close(
      predictions.flatMap((p) => p.diff),
      values(want[1]!),
    );
    const cols = await call(
      server.url,
      'POST',
      '/v1/models/two:predict',
      { inputs: { a, b } },
      bearer(key),
    );
    const outputs = (cols.body as { outputs: { sum: number[][]; diff: number[][] } }).outputs;
    close(outputs.sum.flat(), values(want[0]!));
    close(outputs.diff.flat(), values(want[1]!));
  });

  it('errors as TF Serving writes them: {"error": "..."} with 400 or 404', async () => {
    const shape = await call(
      server.url,
      'POST',
      '/v1/models/mlp:predict',
      { instances: [[1, 2, 3]] },
      bearer(key),
    );
    assert.equal(shape.status, 400);
    assert.deepEqual(shape.body, { error: "input 'input': expected shape [-1, 4], got [1, 3]" });
    const missing = await call(
      server.url,
      'POST',
      '/v1/models/nope:predict',
      { instances: [1] },
      bearer(key),
    );
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body, { error: 'Servable not found for request: Latest(nope)' });
    const version = await call(server.url, 'GET', '/v1/models/mlp/versions/7');
    assert.equal(version.status, 404);
    assert.match((version.body as { error: string }).error, /Specific\(mlp, 7\)/);
    const sig = await call(
      server.url,
      'POST',
      '/v1/models/mlp:predict',
      { signature_name: 'other', instances: [[1, 2, 3, 4]] },
      bearer(key),
    );
    assert.equal(sig.status, 400);
    assert.match(
      (sig.body as { error: string }).error,
      /Serving signature name: "other" not found/,
    );
    const both = await call(
      server.url,
      'POST',
      '/v1/models/mlp:predict',
      { instances: [[1, 2, 3, 4]], inputs: [[1, 2, 3, 4]] },
      bearer(key),
    );
    assert.equal(both.status, 400);
    const ragged = await call(
      server.url,
      'POST',
      '/v1/models/mlp:predict',
      {
        instances: [
          [1, 2, 3, 4],
          [1, 2],
        ],
      },
      bearer(key),
    );
    assert.equal(ragged.status, 400);
    assert.match((ragged.body as { error: string }).error, /input 'input'.*element \[1\]/);
    const multi = await call(
      server.url,
      'POST',
      '/v1/models/two:predict',
      { instances: [{ a: [1, 2] }] },
      bearer(key),
    );
    assert.deepEqual(multi.body, { error: "input 'b' is missing" });
  });

  it('predicts what the model predicts in process', async () => {
    const x = [
      [0.5, -1, 2, 3],
      [1, 1, 1, 1],
      [-2, 0, 0, 4],
    ];
    const r = await call(
      server.url,
      'POST',
      '/v1/models/mlp:predict',
      { instances: x },
      bearer(key),
    );
    const want = values(mlp.predict(tensor(new Float32Array(x.flat()), [3, 4])));
    close((r.body as { predictions: number[][] }).predictions.flat(), want);
  });
});

describe('KServe v2 (Open Inference Protocol)', () => {
  it('health, server metadata and model readiness', async () => {
    assert.deepEqual((await call(server.url, 'GET', '/v2/health/live')).body, { live: true });
    assert.deepEqual((await call(server.url, 'GET', '/v2/health/ready')).body, { ready: true });
    const meta = await call(server.url, 'GET', '/v2');
    assert.equal((meta.body as { name: string }).name, 'keel');
    assert.ok(Array.isArray((meta.body as { extensions: unknown[] }).extensions));
    assert.deepEqual((await call(server.url, 'GET', '/v2/models/mlp/ready')).body, {
      name: 'mlp',
      ready: true,
    });
    assert.deepEqual((await call(server.url, 'GET', '/v2/models/mlp/versions/1/ready')).body, {
      name: 'mlp',
      ready: true,
    });
    assert.equal((await call(server.url, 'GET', '/v2/models/nope/ready')).status, 404);
  });

  it('model metadata: name, versions, platform, typed inputs and outputs', async () => {
    const r = await call(server.url, 'GET', '/v2/models/mlp');
    assert.deepEqual(r.body, {
      name: 'mlp',
      versions: ['1'],
      platform: 'keel_keel',
      inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 4] }],
      outputs: [{ name: 'scores', datatype: 'FP32', shape: [-1, 2] }],
    });
  });

  it('infer: typed tensors in and out, the request id echoed', async () => {
    const data = [1, 2, 3, 4, -1, 0, 1, 2];
    const r = await call(
      server.url,
      'POST',
      '/v2/models/mlp/versions/1/infer',
      {
        id: 'req-42',
        inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data }],
      },
      bearer(key),
    );
    assert.equal(r.status, 200);
    const body = r.body as {
      model_name: string;
      model_version: string;
      id: string;
      outputs: { name: string; shape: number[]; datatype: string; data: number[] }[];
    };
    assert.equal(body.model_name, 'mlp');
    assert.equal(body.model_version, '1');
    assert.equal(body.id, 'req-42');
    assert.equal(body.outputs.length, 1);
    assert.equal(body.outputs[0]!.name, 'scores');
    assert.deepEqual(body.outputs[0]!.shape, [2, 2]);
    assert.equal(body.outputs[0]!.datatype, 'FP32');
    close(body.outputs[0]!.data, values(mlp.predict(tensor(new Float32Array(data), [2, 4]))));
  });

  it('infer: nested data, several inputs and a requested output subset', async () => {
    const r = await call(
      server.url,
      'POST',
      '/v2/models/two/infer',
      {
        inputs: [
          { name: 'b', shape: [1, 3], datatype: 'FP32', data: [[1, 2, 3]] },
          { name: 'a', shape: [1, 2], datatype: 'FP32', data: [5, 6] },
        ],
        outputs: [{ name: 'diff' }],
      },
      bearer(key),
    );
    assert.equal(r.status, 200);
    const out = (r.body as { outputs: { name: string; data: number[] }[] }).outputs;
    assert.deepEqual(
      out.map((o) => o.name),
      ['diff'],
    );
    const want = two.predict([
      tensor(new Float32Array([5, 6]), [1, 2]),
      tensor(new Float32Array([1, 2, 3]), [1, 3]),
    ]) as Tensor[];
    close(out[0]!.data, values(want[1]!));
  });

  it('infer errors name the input, what was expected and what came', async () => {
    const dtype = await call(
      server.url,
      'POST',
      '/v2/models/mlp/infer',
      {
        inputs: [{ name: 'input', shape: [1, 4], datatype: 'INT64', data: [1, 2, 3, 4] }],
      },
      bearer(key),
    );
    assert.equal(dtype.status, 400);
    assert.deepEqual(dtype.body, { error: `input 'input': expected datatype FP32, got "INT64"` });
    const shape = await call(
      server.url,
      'POST',
      '/v2/models/mlp/infer',
      {
        inputs: [{ name: 'input', shape: [1, 5], datatype: 'FP32', data: [1, 2, 3, 4, 5] }],
      },
      bearer(key),
    );
    assert.deepEqual(shape.body, { error: "input 'input': expected shape [-1, 4], got [1, 5]" });
    const count = await call(
      server.url,
      'POST',
      '/v2/models/mlp/infer',
      {
        inputs: [{ name: 'input', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }],
      },
      bearer(key),
    );
    assert.deepEqual(count.body, {
      error: "input 'input': shape [2, 4] needs 8 values, data has 4",
    });
  });
});
