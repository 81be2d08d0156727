import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import '../../../../src/backends/index.js';
import { Dataset } from '../../../../src/data/dataset/dataset.js';
import { spamAssassin } from '../../../../src/data/datasets/spam-assassin.js';
import { loadModel } from '../../../../src/io/keel-format/model-file.js';
import { exportOnnx } from '../../../../src/io/onnx/export.js';
import { toTfjsArtifacts } from '../../../../src/io/tfjs/tfjs-format.js';
import { Sequential } from '../../../../src/models/sequential.js';
import { Dense } from '../../../../src/nn/layers/dense.js';
import { Embedding } from '../../../../src/nn/layers/embedding.js';
import { GlobalAveragePooling1D } from '../../../../src/nn/layers/global-average-pooling1d.js';
import { LSTM } from '../../../../src/nn/layers/lstm.js';
import { StringLookup } from '../../../../src/nn/layers/preprocessing/string-lookup.js';
import { deserializeLayer, serializeLayer } from '../../../../src/nn/layers/registry.js';
import { setSeed } from '../../../../src/random/rng.js';
import { Tensor } from '../../../../src/tensor/tensor.js';
import { TextVectorization } from '../../../../src/text/text-vectorization.js';
import { runLayerTest } from '../../layer-test-harness.js';

const dir = mkdtempSync(join(tmpdir(), 'keel-strings-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('TextVectorization as a model layer', () => {
  it('the seed spam LSTM trains on raw emails, saves, loads and predicts the same', async () => {
    setSeed(1);
    const { xTrain, yTrain } = spamAssassin();
    // Every 60th training email: both groups, 81 emails, few enough for a quick test.
    const pick = xTrain.map((_, i) => i).filter((i) => i % 60 === 0);
    const texts = pick.map((i) => xTrain[i]!);
    const labels = new Tensor(
      Float32Array.from(pick, (i) => yTrain.data[i]!),
      [pick.length],
      'float32',
    );
    assert.ok(labels.data.includes(0) && labels.data.includes(1), 'both classes');
    const tv = new TextVectorization({ maxTokens: 300, outputSequenceLength: 24, name: 'tv' });
    tv.adapt(texts);
    const model = new Sequential([
      tv,
      new Embedding(300, 8),
      new LSTM(8),
      new Dense(1, { activation: 'sigmoid' }),
    ]);
    model.compile({ optimizer: 'adam', loss: 'binary_crossentropy', metrics: ['accuracy'] });
    const history = await model.fit(texts, labels, { epochs: 3, batchSize: 27, verbose: 0 });
    const losses = history.history['loss']!;
    assert.ok(
      losses.every(Number.isFinite) && losses.at(-1)! < losses[0]!,
      `loss falls: ${losses}`,
    );
    const want = model.predict(texts.slice(0, 5)) as Tensor;
    assert.deepEqual(want.shape, [5, 1]);
    const lines: string[] = [];
    model.summary((l) => lines.push(l));
    assert.match(lines.join('\n'), /tv \(TextVectorization\)/);
    const file = join(dir, 'spam.keel');
    model.save(file);
    const loaded = loadModel(file);
    const back = loaded.layers[0] as TextVectorization;
    assert.deepEqual(back.getVocabulary(), tv.getVocabulary(), 'vocabulary saved in the file');
    assert.deepEqual(
      Array.from((loaded.predict(texts.slice(0, 5)) as Tensor).data),
      Array.from(want.data),
    );
    const score = (await model.evaluate(texts, labels, { verbose: 0 })) as number[];
    assert.ok(Number.isFinite(score[0]!));
  });

  it('tf_idf weights survive the config round trip; bad inputs get errors naming the layer', async () => {
    const texts = ['the cat sat', 'the dog ran far', 'a cat ran'];
    const tv = new TextVectorization({ outputMode: 'tf_idf', name: 'tfidf' });
    tv.adapt(texts);
    const clone = deserializeLayer(
      JSON.parse(JSON.stringify(serializeLayer(tv))),
    ) as TextVectorization;
    assert.deepEqual(Array.from(clone.apply(texts).data), Array.from(tv.apply(texts).data));
    const model = new Sequential([tv, new Dense(1)]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const y = new Tensor(Float32Array.from([1, 0, 1]), [3, 1], 'float32');
    await model.fit(texts, y, { epochs: 1, verbose: 0 });
    // A Dataset pipeline: {x: text, y} elements batch into {x: string[], y}, encoded per batch.
    const ds = Dataset.fromGenerator(texts.map((x, i) => ({ x, y: [y.data[i]!] }))).batch(2);
    const fromDs = await model.predict(ds);
    const direct = model.predict(texts) as Tensor;
    assert.deepEqual(Array.from((fromDs as Tensor).data), Array.from(direct.data));
    const history = await model.fit(ds, { epochs: 2, verbose: 0 });
    assert.ok(history.history['loss']!.every(Number.isFinite));
    assert.throws(
      () => model.predict(new Tensor(Float32Array.from([1, 2]), [2, 1], 'float32')),
      /predict: TextVectorization 'tfidf' is the model's first layer and takes a batch of texts \(string\[\]\), got a tensor \[2, 1\] of float32/,
    );
    await assert.rejects(
      () => model.fit([[1, 2]] as never, y, { verbose: 0 }),
      /fit: TextVectorization 'tfidf' is the model's first layer and takes a batch of texts/,
    );
    const numeric = new Sequential([new Dense(1, { inputShape: [3], name: 'd0' })]);
    assert.throws(
      () => numeric.predict(['spam'] as never),
      /predict: model '.*' got strings as x, but its first layer Dense 'd0' takes numbers; put a TextVectorization or StringLookup layer first/,
    );
  });

  it('ONNX and TF.js export refuse a model that takes strings, naming the layer', () => {
    const tv = new TextVectorization({
      vocabulary: ['a', 'b'],
      outputSequenceLength: 4,
      name: 'tvx',
    });
    const model = new Sequential([tv, new Embedding(4, 2), new LSTM(2), new Dense(1)]);
    assert.throws(
      () => exportOnnx(model),
      /exportOnnx: model '.*' starts with TextVectorization 'tvx', which takes strings/,
    );
    assert.throws(
      () => toTfjsArtifacts(model),
      /toTfjsArtifacts: model '.*' starts with TextVectorization 'tvx'/,
    );
  });
});

describe('StringLookup', () => {
  const vocabulary = ['a', 'b', 'c', 'd'];
  const ids = (t: Tensor) => Array.from(t.data);

  it('looks tokens up as in the Keras docs (vocabulary, adapt, OOV buckets, multi_hot)', () => {
    const data = [
      ['a', 'c', 'd'],
      ['d', 'z', 'b'],
    ];
    const layer = new StringLookup({ vocabulary });
    const y = layer.apply(data);
    assert.deepEqual([...y.shape], [2, 3]);
    assert.deepEqual(ids(y), [1, 3, 4, 4, 0, 2]);
    const adapted = new StringLookup();
    adapted.adapt(data);
    assert.deepEqual(adapted.getVocabulary(), ['[UNK]', 'd', 'z', 'c', 'b', 'a']);
    // Two OOV indices: FarmHash Fingerprint64 mod 2 sends 'm' to 0 and 'z' to 1 (Keras docs).
    const two = new StringLookup({ vocabulary, numOovIndices: 2 });
    assert.deepEqual(
      ids(
        two.apply([
          ['a', 'c', 'd'],
          ['m', 'z', 'b'],
        ]),
      ),
      [2, 4, 5, 0, 1, 3],
    );
    const multi = new StringLookup({ vocabulary, outputMode: 'multi_hot' });
    assert.deepEqual(
      ids(
        multi.apply([
          ['a', 'c', 'd', 'd'],
          ['d', 'z', 'b', 'z'],
        ]),
      ),
      [0, 1, 0, 1, 1, 1, 0, 1, 0, 1],
    );
    const masked = new StringLookup({ vocabulary, maskToken: '' });
    assert.deepEqual(ids(masked.apply(['', 'a', 'q'])), [0, 2, 1]);
  });

  it('layer checks; first in a model it takes string[][], trains, saves and loads', async () => {
    runLayerTest({
      layer: () => new StringLookup({ vocabulary }),
      inputShape: [2, 3],
      input: new Tensor(Int32Array.from([1, 2, 3, 4, 0, 1]), [2, 3], 'int32'),
      expectedOutputShape: [2, 3],
      expectedNumWeights: 0,
      expectedNumTrainableWeights: 0,
      differentiable: false,
    });
    setSeed(2);
    const model = new Sequential([
      new StringLookup({ vocabulary, name: 'sl' }),
      new Embedding(5, 4),
      new GlobalAveragePooling1D(),
      new Dense(1),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'mse' });
    const x = [
      ['a', 'b', 'x'],
      ['c', 'd', 'd'],
      ['a', 'a', 'c'],
    ];
    const y = new Tensor(Float32Array.from([1, 0, 1]), [3, 1], 'float32');
    await model.fit(x, y, { epochs: 2, verbose: 0 });
    const want = model.predict(x) as Tensor;
    const file = join(dir, 'lookup.keel');
    model.save(file);
    const loaded = loadModel(file);
    assert.deepEqual(Array.from((loaded.predict(x) as Tensor).data), Array.from(want.data));
    assert.throws(
      () => model.predict([[1, 2, 3]] as never),
      /predict: StringLookup 'sl' takes a batch of tokens \(string\[\] or string\[\]\[\] of equal lengths\)/,
    );
    assert.throws(
      () => new StringLookup({ invert: true }),
      /StringLookup '.*': invert gives strings/,
    );
  });
});
